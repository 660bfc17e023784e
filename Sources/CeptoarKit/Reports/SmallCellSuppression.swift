/// Small-cell suppression for a two-way table of counts published with its row, column and
/// grand totals. A cell (or total) under `k` but above zero is hidden and shown as "<k"
/// (primary); further cells are hidden (complementary) until no hidden value can be worked out
/// from what is shown, including that a "<k" cell lies between 1 and k − 1.
///
/// The published table's constraints are: each row's cells sum to its total, each column's
/// to its total. Flipping the sign of the totals row and column makes every line sum to zero,
/// and the ways the hidden cells can change while every shown number stays put are then the
/// cycles of the bipartite graph (rows × columns) whose edges are the hidden cells, changed
/// by +1 and −1 alternately. A hidden cell is safe when some such cycle through it moves it
/// while every hidden cell stays possible (non-negative; a "<k" cell within 1…k−1). The
/// pattern grows, smallest cells first, until every hidden cell is safe.
public struct SmallCellSuppression: Sendable, Equatable {
    public struct Cell: Hashable, Sendable, Comparable {
        public let row: Int
        public let column: Int
        public init(_ row: Int, _ column: Int) { (self.row, self.column) = (row, column) }
        public static func < (a: Cell, b: Cell) -> Bool { (a.row, a.column) < (b.row, b.column) }
    }

    public enum Shown: Equatable, Sendable {
        case value(Int)
        /// Under k, hidden (primary).
        case small
        /// Hidden so that a small one cannot be worked out (complementary).
        case hidden
    }

    public let k: Int
    /// R × C counts.
    public let counts: [[Int]]
    /// Over the extended table: rows 0..<R and the totals row R; columns 0..<C and the totals column C.
    public let primary: Set<Cell>
    public let complementary: Set<Cell>

    public var rowCount: Int { self.counts.count }
    public var columnCount: Int { self.counts.first?.count ?? 0 }

    /// The extended table's value at a cell (totals included).
    public func value(_ cell: Cell) -> Int { Self.value(cell, in: self.counts) }

    static func value(_ cell: Cell, in counts: [[Int]]) -> Int {
        let (r, c) = (cell.row, cell.column)
        switch (r == counts.count, c == (counts.first?.count ?? 0)) {
        case (false, false): return counts[r][c]
        case (false, true): return counts[r].reduce(0, +)
        case (true, false): return counts.reduce(0) { $0 + $1[c] }
        case (true, true): return counts.reduce(0) { $0 + $1.reduce(0, +) }
        }
    }

    public func shown(_ cell: Cell) -> Shown {
        if self.primary.contains(cell) { return .small }
        if self.complementary.contains(cell) { return .hidden }
        return .value(self.value(cell))
    }

    public var hidden: Set<Cell> { self.primary.union(self.complementary) }

    /// Suppresses the table (rows of equal length) at threshold `k` (at least 2).
    public init(counts: [[Int]], k: Int) {
        precondition(k >= 2 && counts.allSatisfy { $0.count == counts.first?.count })
        self.k = k
        self.counts = counts
        let value = { (cell: Cell) in Self.value(cell, in: counts) }
        let rows = counts.count
        let columns = counts.first?.count ?? 0
        var cells: [Cell] = []
        for r in 0...rows { for c in 0...columns { cells.append(Cell(r, c)) } }
        let primary = Set(cells.filter { (1..<k).contains(value($0)) })
        var hidden = primary
        var iterations = 0
        /// The smallest shown cell among `candidates` (non-zero ones first: hiding a zero hides little).
        func smallest(_ candidates: [Cell]) -> Cell? {
            candidates.filter { !hidden.contains($0) }.min { a, b in
                let (va, vb) = (value(a), value(b))
                return (va == 0 ? 1 : 0, va, a) < (vb == 0 ? 1 : 0, vb, b)
            }
        }
        let lines: [[Cell]] = (0...rows).map { r in (0...columns).map { Cell(r, $0) } } + (0...columns).map { c in (0...rows).map { Cell($0, c) } }
        while iterations <= cells.count {
            iterations += 1
            // A line with one hidden cell gives it away: hide a second one there.
            // One whose crossing line already has a hidden cell closes a cycle: prefer those.
            if let line = lines.first(where: { $0.filter(hidden.contains).count == 1 }) {
                let isRow = line[0].row == line[1].row
                let closing = line.filter { cell in
                    (isRow ? lines[rows + 1 + cell.column] : lines[cell.row]).contains { hidden.contains($0) }
                }
                if let next = smallest(closing) ?? smallest(line) {
                    hidden.insert(next)
                    continue
                }
            }
            // Every line has none or two or more, but a cell may still be pinned (no cycle through
            // it, or none that stays possible): widen from its row, and the rule above closes it.
            guard let unsafe = hidden.sorted().first(where: { !Self.movable($0, hidden: hidden, primary: primary, k: k, rows: rows, columns: columns, value: value) }) else { break }
            guard let next = smallest(lines[unsafe.row]) ?? smallest(lines[rows + 1 + unsafe.column]) else {
                hidden = Set(cells)
                break
            }
            hidden.insert(next)
        }
        if iterations > cells.count { hidden = Set(cells) }
        self.primary = primary
        self.complementary = hidden.subtracting(primary)
    }

    /// Whether some cycle of hidden cells through `cell` can move it by one, up or down, with
    /// every hidden cell staying possible. The search is bounded; when it gives up the cell
    /// counts as unsafe and more is hidden, which errs on the side of hiding.
    static func movable(_ cell: Cell, hidden: Set<Cell>, primary: Set<Cell>, k: Int, rows: Int, columns: Int, value: (Cell) -> Int) -> Bool {
        // Nodes: row r is r, column c is -(c + 1).
        var adjacency: [Int: [(node: Int, edge: Cell)]] = [:]
        for edge in hidden.sorted() where edge != cell {
            adjacency[edge.row, default: []].append((-(edge.column + 1), edge))
            adjacency[-(edge.column + 1), default: []].append((edge.row, edge))
        }
        func possible(_ edge: Cell, _ delta: Int) -> Bool {
            let v = value(edge) + delta
            return primary.contains(edge) ? (1..<k).contains(v) : v >= 0
        }
        /// The cell changes by +d, the path's edges by −d, +d, −d … (in the flipped table).
        func moves(_ path: [Cell]) -> Bool {
            for direction in [1, -1] {
                let all = [cell] + path
                let ok = all.enumerated().allSatisfy { index, member in
                    possible(member, (index % 2 == 0 ? direction : -direction) * Self.sign(member, rows: rows, columns: columns))
                }
                if ok { return true }
            }
            return false
        }
        var budget = 5_000
        func search(_ node: Int, _ visited: Set<Int>, _ path: [Cell]) -> Bool {
            guard budget > 0 else { return false }
            budget -= 1
            for (next, edge) in adjacency[node] ?? [] where !visited.contains(next) {
                if next == cell.row {
                    if moves(path + [edge]) { return true }
                } else if search(next, visited.union([next]), path + [edge]) {
                    return true
                }
            }
            return false
        }
        let start = -(cell.column + 1)
        return search(start, [start], [])
    }

    static func sign(_ cell: Cell, rows: Int, columns: Int) -> Int {
        (cell.row == rows ? -1 : 1) * (cell.column == columns ? -1 : 1)
    }
}

/// What changed in the map between two days: CEPTOARs that appeared, disappeared, or whose
/// cells changed.
public struct MapDiff: Codable, Sendable, Equatable {
    public struct CellChange: Codable, Sendable, Equatable {
        public var row: MapRow
        public var before: String
        public var after: String
    }

    public struct Change: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case added, removed, changed }
        public var kind: Kind
        public var ceptoarKey: String
        public var name: String
        public var cells: [CellChange]
    }

    public var from: Day
    public var to: Day
    public var changes: [Change]

    public init(from old: CharacteristicsMap, to new: CharacteristicsMap, language: Language = .ja) {
        self.from = old.asOf
        self.to = new.asOf
        let before = Dictionary(old.columns.map { ($0.ceptoarKey, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.columns.map { ($0.ceptoarKey, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [Change] = []
        for column in old.columns where after[column.ceptoarKey] == nil {
            changes.append(Change(kind: .removed, ceptoarKey: column.ceptoarKey, name: column.name.text(language), cells: []))
        }
        for column in new.columns {
            guard let previous = before[column.ceptoarKey] else {
                changes.append(Change(kind: .added, ceptoarKey: column.ceptoarKey, name: column.name.text(language), cells: []))
                continue
            }
            var cells = MapRow.allCases.compactMap { row -> CellChange? in
                let a = row.cell(of: previous, language)
                let b = row.cell(of: column, language)
                return a == b ? nil : CellChange(row: row, before: a, after: b)
            }
            if previous.memberCount != column.memberCount, !cells.contains(where: { $0.row == .members }) {
                cells.append(CellChange(row: .members, before: String(previous.memberCount), after: String(column.memberCount)))
            }
            if previous.name != column.name, !cells.contains(where: { $0.row == .name }) {
                cells.append(CellChange(row: .name, before: previous.name.text(language), after: column.name.text(language)))
            }
            if !cells.isEmpty {
                changes.append(Change(kind: .changed, ceptoarKey: column.ceptoarKey, name: column.name.text(language), cells: cells))
            }
        }
        self.changes = changes
    }

    /// A readable list, one line per change and one indented line per changed cell.
    public func text(_ language: Language) -> String {
        var out = "\(self.from.iso) → \(self.to.iso)\n"
        if self.changes.isEmpty {
            return out + (language == .ja ? "変更なし\n" : "no changes\n")
        }
        for change in self.changes {
            let mark: String
            switch change.kind {
            case .added: mark = language == .ja ? "+ 追加" : "+ added"
            case .removed: mark = language == .ja ? "- 削除" : "- removed"
            case .changed: mark = language == .ja ? "~ 変更" : "~ changed"
            }
            out += "\(mark) \(change.name) [\(change.ceptoarKey)]\n"
            for cell in change.cells {
                out += "    \(cell.row.label.text(language)): \(cell.before) → \(cell.after)\n"
            }
        }
        return out
    }
}

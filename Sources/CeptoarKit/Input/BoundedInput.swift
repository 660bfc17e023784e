import Foundation

/// A value from outside (a request, a form, a file, a mail, a peer) that could not be parsed
/// into its bounded type: which field, and why, in both languages.
public struct InputError: Error, Sendable, Equatable {
    /// The field as the sender named it (`page`, `s0_wait`, `email`).
    public var field: String
    public var message: LocalizedText

    public init(field: String, message: LocalizedText) {
        self.field = field
        self.message = message
    }
}

/// Parsing at the edge into bounded values. Swift traps on overflow and on converting a
/// double that does not fit (`Int(1e300)`); one trap stops the whole server, and with it the
/// national alert. So every number from outside is checked against its range *before* any
/// arithmetic or conversion, here, and nowhere else.
public enum BoundedInput {
    /// A whole number within `range`; nil when absent or empty.
    public static func integer(_ text: String?, field: String, in range: ClosedRange<Int>) throws(InputError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let number = Int(text) else {
            throw InputError(field: field, message: LocalizedText(
                ja: "\(field) は整数で指定してください", en: "\(field) must be a whole number"))
        }
        guard range.contains(number) else {
            throw InputError(field: field, message: LocalizedText(
                ja: "\(field) は\(range.lowerBound)から\(range.upperBound)の間で指定してください",
                en: "\(field) must be between \(range.lowerBound) and \(range.upperBound)"))
        }
        return number
    }

    /// A decimal amount (such as minutes, `1.5`) scaled by `scale` and rounded to a whole
    /// number within `range`. Infinity, NaN and values past the range are refused before the
    /// conversion that would trap.
    public static func scaled(_ text: String?, field: String, scale: Double, in range: ClosedRange<Int>) throws(InputError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let low = Double(range.lowerBound) / scale
        let high = Double(range.upperBound) / scale
        let outOfRange = InputError(field: field, message: LocalizedText(
            ja: "\(field) は\(Self.format(low))から\(Self.format(high))の間で指定してください",
            en: "\(field) must be between \(Self.format(low)) and \(Self.format(high))"))
        guard text.count <= 32, let value = Double(text) else {
            throw InputError(field: field, message: LocalizedText(ja: "\(field) は数値で指定してください", en: "\(field) must be a number"))
        }
        guard value.isFinite else { throw outOfRange }
        let product = (value * scale).rounded()
        guard product >= Double(range.lowerBound), product <= Double(range.upperBound) else { throw outOfRange }
        return Int(product)
    }

    /// A computed or stored double as a whole number, clamped into `range` (NaN gives the
    /// lower bound): for figures shown on a page or in a file, where `Int(x)` would trap on a
    /// value no one expected.
    public static func wholeNumber(_ value: Double, in range: ClosedRange<Int> = -1_000_000_000...1_000_000_000) -> Int {
        guard !value.isNaN else { return range.lowerBound }
        let rounded = value.rounded()
        if rounded <= Double(range.lowerBound) { return range.lowerBound }
        if rounded >= Double(range.upperBound) { return range.upperBound }
        return Int(rounded)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A page of a list, as asked for: page ≥ 1 up to `maximumPage`, per within the list's own
/// limit. The offset is computed from bounded numbers, so it cannot overflow.
public struct RequestedPage: Sendable, Hashable {
    /// Far beyond any real list (10,000 pages of 200 is two million rows).
    public static let maximumPage = 10_000

    public let page: Int
    public let per: Int

    /// From the query's text; a missing value takes its default.
    public init(page: String?, per: String?, defaultPer: Int, maximumPer: Int) throws(InputError) {
        self.page = try BoundedInput.integer(page, field: "page", in: 1...Self.maximumPage) ?? 1
        self.per = try BoundedInput.integer(per, field: "per", in: 1...maximumPer) ?? defaultPer
    }

    /// From numbers already in hand (tests, internal callers); checked the same way.
    public init(page: Int, per: Int, maximumPer: Int) throws(InputError) {
        try self.init(page: String(page), per: String(per), defaultPer: per, maximumPer: maximumPer)
    }

    /// Rows to skip: at most `maximumPage × maximumPer`, far inside `Int`.
    public var offset: Int { (self.page - 1) * self.per }
}

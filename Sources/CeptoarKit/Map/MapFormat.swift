import Foundation

/// The formats `ceptoar map` and the web can render the map in.
public enum MapFormat: String, CaseIterable, Sendable {
    case html
    case csv
    case json
    case md

    /// Reads a `--format` value; the error lists the formats that exist.
    public static func parse(_ text: String) throws -> MapFormat {
        guard let format = MapFormat(rawValue: text.lowercased()) else {
            throw MapFormatError.unknown(text)
        }
        return format
    }

    public var contentType: String {
        switch self {
        case .html: return "text/html; charset=utf-8"
        case .csv: return "text/csv; charset=utf-8"
        case .json: return "application/json; charset=utf-8"
        case .md: return "text/markdown; charset=utf-8"
        }
    }

    /// The rendered bytes.
    public func render(_ map: CharacteristicsMap, language: Language) throws -> Data {
        switch self {
        case .html: return Data(map.htmlDocument(language).utf8)
        case .csv: return map.csv(language)
        case .md: return Data(map.markdown(language).utf8)
        case .json: return try map.json()
        }
    }
}

public enum MapFormatError: Error, Equatable, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let text):
            return "unknown format '\(text)'; use one of: \(MapFormat.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

/// The CEPTOAR characteristics map (セプター特性把握マップ) as of one day: one column per
/// CEPTOAR in map order, rows as in NISC's table.
public struct CharacteristicsMap: Codable, Sendable, Equatable {
    public var asOf: Day
    public var title: LocalizedText
    public var note: LocalizedText?
    public var columns: [MapColumn]

    public init(asOf: Day, title: LocalizedText, note: LocalizedText? = nil, columns: [MapColumn]) {
        self.asOf = asOf
        self.title = title
        self.note = note
        self.columns = columns
    }

    public var sectorCount: Int { Set(self.columns.map(\.sectorKey)).count }
    public var memberCount: Int { self.columns.reduce(0) { $0 + $1.memberCount } }

    /// "平成21年3月31日現在" / "as of 2009-03-31".
    public func asOfLine(_ language: Language) -> String {
        let era = EraDate(day: self.asOf, precision: .day)
        switch language {
        case .ja: return "\(era.japanese)現在 (\(self.asOf.iso))"
        case .en: return "As of \(self.asOf.iso) (\(era.englishEraYear))"
        }
    }

    /// Every cell, merged values repeated: one row per `MapRow`, the row label first.
    public func grid(_ language: Language) -> [[String]] {
        MapRow.allCases.map { row in
            [row.label.text(language)] + self.columns.map { row.cell(of: $0, language) }
        }
    }
}

/// One CEPTOAR's column of the map.
public struct MapColumn: Codable, Sendable, Equatable {
    public var ceptoarKey: String
    public var sectorKey: String
    public var sector: LocalizedText
    public var scope: LocalizedText
    /// The CEPTOAR's own name.
    public var name: LocalizedText
    /// The umbrella body the map shows in the name row instead (金融CEPTOAR連絡協議会).
    public var umbrellaKey: String?
    public var umbrella: LocalizedText?
    public var secretariat: LocalizedText
    public var established: DatedCell
    public var members: LocalizedText
    public var memberCount: Int
    public var poc: DatedCell
    public var rules: DatedCell
    public var contact: String
    public var information: String
    public var channels: [ContactChannel]
    public var features: LocalizedText

    public init(
        ceptoarKey: String, sectorKey: String, sector: LocalizedText, scope: LocalizedText,
        name: LocalizedText, umbrellaKey: String?, umbrella: LocalizedText?, secretariat: LocalizedText,
        established: DatedCell, members: LocalizedText, memberCount: Int, poc: DatedCell, rules: DatedCell,
        contact: String, information: String, channels: [ContactChannel], features: LocalizedText
    ) {
        self.ceptoarKey = ceptoarKey
        self.sectorKey = sectorKey
        self.sector = sector
        self.scope = scope
        self.name = name
        self.umbrellaKey = umbrellaKey
        self.umbrella = umbrella
        self.secretariat = secretariat
        self.established = established
        self.members = members
        self.memberCount = memberCount
        self.poc = poc
        self.rules = rules
        self.contact = contact
        self.information = information
        self.channels = channels
        self.features = features
    }

    /// What the name row shows: the umbrella's name where there is one, as NISC's table does.
    public var nameCell: LocalizedText { self.umbrella ?? self.name }
}

/// A cell holding the seed's text with its machine date ("平成19年3月末に整備" / 2007-03-31).
public struct DatedCell: Codable, Sendable, Equatable, Hashable {
    public var text: String
    public var date: EraDate?

    public init(text: String, date: EraDate?) {
        self.text = text
        self.date = date
    }

    /// Japanese shows the original wording; English names the era year. Renderers put the
    /// ISO date beside either.
    public func display(_ language: Language, english verb: String) -> String {
        switch language {
        case .ja: return self.text
        case .en:
            guard let date = self.date else { return self.text }
            return "\(verb) \(date.englishEraYear)"
        }
    }
}

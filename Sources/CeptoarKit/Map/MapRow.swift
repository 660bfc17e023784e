/// The rows of NISC's characteristics map, in the seed's order.
public enum MapRow: String, CaseIterable, Sendable, Codable {
    case sector
    case scope
    case name
    case secretariat
    case established
    case members
    case poc
    case rules
    case contact
    case features

    public var label: LocalizedText {
        switch self {
        case .sector: return LocalizedText(ja: "重要インフラ分野", en: "Critical infrastructure sector")
        case .scope: return LocalizedText(ja: "事業の範囲", en: "Business scope")
        case .name: return LocalizedText(ja: "名称", en: "Name")
        case .secretariat: return LocalizedText(ja: "事務局", en: "Secretariat")
        case .established: return LocalizedText(ja: "整備状況等", en: "Established")
        case .members: return LocalizedText(ja: "構成員 (主な事業者等)", en: "Members (main operators)")
        case .poc: return LocalizedText(ja: "緊急窓口(POC)", en: "Emergency point of contact (POC)")
        case .rules: return LocalizedText(ja: "情報の取扱いルール", en: "Information-handling rules")
        case .contact: return LocalizedText(ja: "情報と連絡手段", en: "Information and means of contact")
        case .features: return LocalizedText(ja: "特徴", en: "Characteristics")
        }
    }

    /// Rows whose equal neighbouring cells NISC's table merges into one.
    public var merges: Bool {
        switch self {
        case .sector, .name, .established, .poc: return true
        default: return false
        }
    }

    /// The text of this row's cell for one column.
    public func cell(of column: MapColumn, _ language: Language) -> String {
        switch self {
        case .sector: return column.sector.text(language)
        case .scope: return column.scope.text(language)
        case .name: return column.nameCell.text(language)
        case .secretariat: return column.secretariat.text(language)
        case .established: return column.established.display(language, english: "Set up by")
        case .members: return column.members.text(language)
        case .poc: return column.poc.display(language, english: "In operation from")
        case .rules: return column.rules.display(language, english: "Enacted")
        case .contact:
            switch language {
            case .ja: return column.contact
            case .en:
                let channels = column.channels.map { $0.label.text(.en) }.joined(separator: ", ")
                return "Failure-case information etc.: \(channels)"
            }
        case .features: return column.features.text(language)
        }
    }

    /// The machine date beside the text, where the row has one.
    public func date(of column: MapColumn) -> EraDate? {
        switch self {
        case .established: return column.established.date
        case .poc: return column.poc.date
        case .rules: return column.rules.date
        default: return nil
        }
    }

    /// Runs of equal neighbouring cells, for rows that merge: (first column, span, text).
    public func spans(_ columns: [MapColumn], _ language: Language) -> [(start: Int, span: Int, text: String)] {
        var result: [(start: Int, span: Int, text: String)] = []
        for (index, column) in columns.enumerated() {
            let text = self.cell(of: column, language)
            // Merge on the underlying identity, not only equal text, so two different
            // umbrellas or sectors that happen to share a label never fuse.
            if self.merges, let last = result.last, last.text == text,
                self.mergeKey(columns[last.start]) == self.mergeKey(column)
            {
                result[result.count - 1].span += 1
            } else {
                result.append((index, 1, text))
            }
        }
        return result
    }

    private func mergeKey(_ column: MapColumn) -> String {
        switch self {
        case .sector: return column.sectorKey
        case .name: return column.umbrellaKey ?? column.ceptoarKey
        default: return self.cell(of: column, .ja)
        }
    }
}

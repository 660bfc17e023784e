import Foundation

extension CharacteristicsMap {
    /// Column headings of the CSV export, one line per CEPTOAR.
    static func csvHeader(_ language: Language) -> [String] {
        switch language {
        case .ja:
            return [
                "番号", "キー", "重要インフラ分野", "事業の範囲", "名称", "マップ上の名称", "事務局",
                "整備状況等", "整備日", "構成員 (主な事業者等)", "構成員数", "緊急窓口(POC)", "POC運用開始日",
                "情報の取扱いルール", "ルール制定", "情報", "連絡手段", "特徴",
            ]
        case .en:
            return [
                "No.", "Key", "Sector", "Business scope", "Name", "Name on the map", "Secretariat",
                "Established (text)", "Established on", "Members", "Member count", "POC (text)", "POC from",
                "Handling rules (text)", "Rules enacted", "Information", "Means of contact", "Characteristics",
            ]
        }
    }

    /// CSV that Excel opens correctly: UTF-8 with a byte-order mark, CRLF line ends, RFC 4180
    /// quoting. One line per CEPTOAR so every line stands alone when sorted or filtered; the
    /// seed's Japanese text sits beside its ISO date and member count.
    public func csv(_ language: Language) -> Data {
        var lines = [Self.csvHeader(language)]
        for (index, column) in self.columns.enumerated() {
            lines.append([
                String(index + 1), column.ceptoarKey, column.sector.text(language), column.scope.text(language),
                column.name.text(language), column.nameCell.text(language), column.secretariat.text(language),
                column.established.text, column.established.date?.iso ?? "",
                column.members.text(language), String(column.memberCount),
                column.poc.text, column.poc.date?.iso ?? "",
                column.rules.text, column.rules.date?.iso ?? "",
                column.information, column.channels.map { $0.label.text(language) }.joined(separator: "、"),
                column.features.text(language),
            ])
        }
        return CSV.document(lines)
    }

    /// A Markdown table with NISC's layout (rows as in the seed, one column per CEPTOAR).
    public func markdown(_ language: Language) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "# \(self.title.text(language))\n\n\(self.asOfLine(language))\n\n"
        for (index, row) in MapRow.allCases.enumerated() {
            var cells = [row.label.text(language)]
            for column in self.columns {
                var text = row.cell(of: column, language)
                if let date = row.date(of: column) { text += " (\(date.iso))" }
                cells.append(text)
            }
            out += "| " + cells.map(escape).joined(separator: " | ") + " |\n"
            if index == 0 {
                out += "|" + String(repeating: "---|", count: cells.count) + "\n"
            }
        }
        if let note = self.note { out += "\n\(note.text(language))\n" }
        return out
    }

    /// Stable, pretty JSON with sorted keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

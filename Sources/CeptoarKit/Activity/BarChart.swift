import Foundation

/// A horizontal bar chart as inline SVG, for reports that must print and work without
/// scripts (the pages' Content-Security-Policy allows none inline): one bar per label, scaled
/// to the largest value, the value written beside it. Presentation only by attributes.
public struct BarChart: Sendable {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double?
        public var text: String

        public init(label: String, value: Double?, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    public var title: String
    public var bars: [Bar]

    public init(title: String, bars: [Bar]) {
        self.title = title
        self.bars = bars
    }

    public var svg: String {
        let rowHeight = 22, labelWidth = 260, barWidth = 360, top = 26
        let height = top + self.bars.count * rowHeight + 8
        let finite = self.bars.compactMap(\.value).filter { $0.isFinite && $0 > 0 }
        let largest = finite.max() ?? 1
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="\#(labelWidth + barWidth + 120)" height="\#(height)" viewBox="0 0 \#(labelWidth + barWidth + 120) \#(height)" aria-label="\#(self.title.htmlEscaped)" class="chart">"#
        out += #"<text x="0" y="16" font-size="14" font-weight="bold">\#(self.title.htmlEscaped)</text>"#
        for (index, bar) in self.bars.enumerated() {
            let y = top + index * rowHeight
            let share = bar.value.map { $0.isFinite && $0 > 0 ? min($0 / largest, 1) : 0 } ?? 0
            // The width from a bounded share: never a huge or NaN number turned into an Int.
            let width = max(bar.value == nil ? 0 : 1, Int((share * Double(barWidth)).rounded()))
            out += #"<text x="\#(labelWidth - 6)" y="\#(y + 15)" font-size="12" text-anchor="end">\#(bar.label.htmlEscaped)</text>"#
            out += ##"<rect x="\##(labelWidth)" y="\##(y + 3)" width="\##(width)" height="\##(rowHeight - 6)" fill="#2a6fb0"></rect>"##
            out += #"<text x="\#(labelWidth + width + 6)" y="\#(y + 15)" font-size="12">\#(bar.text.htmlEscaped)</text>"#
        }
        return out + "</svg>"
    }
}

import CeptoarKit
import Vapor

/// The federation page: each peer node's state, last success, objects in and out, and errors,
/// a button to sync now, and the form to register a peer.
struct SyncPage {
    var peers: [PeerRecord]
    var agreements: [AgreementRecord]
    var canAdd: Bool
    var error: String?
    var notice: String?

    func render(_ request: Request) -> String {
        let language = request.language
        let ja = language == .ja
        let csrf = RelayViews.csrfField(request)
        let states = ["ok": ja ? "正常" : "ok", "failing": ja ? "失敗中" : "failing", "new": ja ? "未同期" : "not synced yet", "disabled": ja ? "無効" : "disabled"]
        var rows = ""
        for peer in self.peers {
            rows += """
                <tr data-testid="peer-row"><td>\(peer.name.htmlEscaped)</td><td><code>\(peer.collectionURL.htmlEscaped)</code></td><td>\(peer.agreementKey.htmlEscaped)</td>\
                <td data-testid="peer-state">\((states[peer.state] ?? peer.state).htmlEscaped)</td><td>\(RelayViews.time(peer.lastSuccessAt, language).htmlEscaped)</td>\
                <td data-testid="peer-in">\(peer.objectsIn)</td><td data-testid="peer-out">\(peer.objectsOut)</td>\
                <td class="pre-wrap" data-testid="peer-error">\(ProtocolText.oneLine(peer.lastError ?? "").htmlEscaped)</td>\
                <td><form method="post" action="/sync/\(peer.id?.uuidString ?? "")" class="inline">\(csrf)<button type="submit" data-testid="sync-now">\(ja ? "今すぐ同期" : "Sync now")</button></form></td></tr>
                """
        }
        if rows.isEmpty { rows = #"<tr><td colspan="9">\#(ja ? "登録されたピアノードはありません" : "No peer nodes registered")</td></tr>"# }
        var form = ""
        if self.canAdd {
            let options = self.agreements.map { #"<option value="\#($0.key.htmlEscaped)">\#($0.key.htmlEscaped)</option>"# }.joined()
            form = """
                <h2>\(ja ? "ピアノードを登録する" : "Register a peer node")</h2>
                <form method="post" action="/sync" class="stack" data-testid="peer-form">\(csrf)
                <label>\(ja ? "名前" : "Name") <input name="name" required maxlength="100"></label>
                <label>\(ja ? "相手の TAXII コレクション URL" : "The peer's TAXII collection URL") <input name="url" required maxlength="500"></label>
                <label>\(ja ? "相手ノードで発行された API トークン" : "API token issued on the peer node") <input name="token" type="password" required maxlength="500"></label>
                <label>\(ja ? "相互合意" : "Agreement") <select name="agreement">\(options)</select></label>
                <label>\(ja ? "相手方の当事者" : "Remote party") <input name="remote" required placeholder="ceptoar:t-ceptoar"></label>
                <label>\(ja ? "自ノードの当事者" : "Local party") <input name="local" required placeholder="ceptoar:electricity"></label>
                <label>\(ja ? "同期間隔（秒）" : "Interval (seconds)") <input name="interval" type="number" min="10" max="86400" value="300"></label>
                <button type="submit" data-testid="add-peer">\(ja ? "登録する" : "Register")</button></form>
                """
        }
        let body = """
            <h1>\(ja ? "ノード連携（TAXII 2.1）" : "Node federation (TAXII 2.1)")</h1>
            <p>\(ja ? "相互合意に基づき、他のセプターの Ceptoar ノードと情報を取得・送信します。失敗したピアは間隔を延ばして再試行します。" : "Pull from and push to other CEPTOARs' Ceptoar nodes under agreements. A failing peer is retried with growing waits.")</p>
            \(self.error.map { #"<p class="error" role="alert" data-testid="error">\#($0.htmlEscaped)</p>"# } ?? "")
            \(self.notice.map { #"<p class="notice" data-testid="notice">\#($0.htmlEscaped)</p>"# } ?? "")
            <div class="wide"><table class="list"><thead><tr><th>\(ja ? "名前" : "Name")</th><th>URL</th><th>\(ja ? "相互合意" : "Agreement")</th><th>\(ja ? "状態" : "State")</th>\
            <th>\(ja ? "最終成功" : "Last success")</th><th>\(ja ? "受信" : "In")</th><th>\(ja ? "送信" : "Out")</th><th>\(ja ? "エラー" : "Error")</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(form)
            """
        return Layout(title: LocalizedText(ja: "ノード連携", en: "Federation"), body: body).render(request)
    }
}

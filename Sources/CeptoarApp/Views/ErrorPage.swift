import CeptoarKit
import Vapor

struct ErrorPage {
    let status: HTTPResponseStatus
    let message: String

    func render(_ request: Request) -> String {
        let ja = request.language == .ja
        let body = """
            <h1>\(self.status.code) \(self.status.reasonPhrase.htmlEscaped)</h1>
            <p class="error" role="alert" data-testid="error-message">\(self.message.htmlEscaped)</p>
            <p><a href="/">\(ja ? "ホームへ戻る" : "Back to the home page")</a></p>
            """
        return Layout(title: LocalizedText(ja: "エラー", en: "Error"), body: body).render(request)
    }
}

import CeptoarKit
import Vapor

struct LoginPage {
    var error: String?
    var email: String = ""

    func render(_ request: Request) -> String {
        let ja = request.language == .ja
        let error = self.error.map { #"<p class="error" role="alert" data-testid="login-error">\#($0.htmlEscaped)</p>"# } ?? ""
        let body = """
            <h1>\(ja ? "ログイン" : "Sign in")</h1>
            \(error)
            <form method="post" action="\(SiteURL.login)" class="stack" data-testid="login-form">
            <input type="hidden" name="\(CSRFMiddleware.field)" value="\(request.csrfToken.htmlEscaped)">
            <label>\(ja ? "メールアドレス" : "Email") <input type="email" name="email" value="\(self.email.htmlEscaped)" required autocomplete="username"></label>
            <label>\(ja ? "パスワード" : "Password") <input type="password" name="password" required autocomplete="current-password"></label>
            <button type="submit">\(ja ? "ログイン" : "Sign in")</button>
            </form>
            """
        return Layout(title: LocalizedText(ja: "ログイン", en: "Sign in"), body: body).render(request)
    }
}

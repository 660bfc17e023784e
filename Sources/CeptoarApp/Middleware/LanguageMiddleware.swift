import CeptoarKit
import Vapor

/// Decides each request's language: `?lang=`, then the `lang` cookie the language switch sets,
/// then — for API clients only — Accept-Language; Japanese when nothing says otherwise.
/// Pages ignore the browser's locale on purpose: Japanese first, English by the user's choice.
struct LanguageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.language = Self.language(of: request)
        return try await next.respond(to: request)
    }

    static func language(of request: Request) -> Language {
        if let text = request.queryItems["lang"], let language = Language(tag: text) { return language }
        if let cookie = request.cookies["lang"]?.string, let language = Language(tag: cookie) { return language }
        if request.wantsHTML { return .ja }
        for part in (request.headers.first(name: .acceptLanguage) ?? "").split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if let language = Language(tag: tag) { return language }
        }
        return .ja
    }
}

private struct LanguageKey: StorageKey { typealias Value = Language }

extension Request {
    var language: Language {
        get { self.storage[LanguageKey.self] ?? .ja }
        set { self.storage[LanguageKey.self] = newValue }
    }
}

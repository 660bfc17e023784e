import CeptoarKit
import Vapor

/// Renders every error once, per surface: problem JSON for the API, an HTML page for people.
/// A user's mistake is a 4xx with a message in their language; anything unexpected is a 500
/// whose details go to the log, never to the client.
struct ErrorRenderingMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return Self.response(for: error, request: request)
        }
    }

    /// The status, message (in the reader's language) and headers an error answers with: one
    /// decision for every surface — pages, problem JSON, TAXII error resources.
    static func outcome(for error: any Error, language: Language) -> (status: HTTPResponseStatus, message: String, headers: HTTPHeaders) {
        switch error {
        case let error as UserError:
            return (error.status, language == .ja ? error.ja : error.en, error.headers)
        case let error as TaxiiError:
            return (error.status, language == .ja ? error.ja : error.en, error.headers)
        case let error as InputError:
            // Thrown where a query or form value is parsed; a body's callers rethrow as 422.
            return (.badRequest, error.message.text(language), [:])
        case let error as Accounts.Failure:
            return (error.status, error.message(language), error.headers)
        case let error as DecodingError:
            // Before AbortError: Vapor makes DecodingError one, with a reason naming Swift types.
            return (.badRequest, (language == .ja ? "リクエストの形式が正しくありません: " : "malformed request: ") + error.readable, [:])
        case let error as any AbortError:
            return (error.status, error.status == .internalServerError ? Self.internalMessage(language) : error.reason, error.headers)
        default:
            return (.internalServerError, Self.internalMessage(language), [:])
        }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let (status, message, headers) = Self.outcome(for: error, language: request.language)
        if status == .internalServerError {
            request.logger.report(error: error)
        } else {
            request.logger.info("request refused", metadata: ["status": "\(status.code)", "reason": "\(message)"])
        }
        if request.url.path.hasPrefix("/taxii2") { return TaxiiError.response(status: status, message: message, headers: headers) }
        let response: Response
        if request.wantsHTML {
            response = Response(status: status, headers: headers)
            response.headers.contentType = .html
            response.body = .init(string: ErrorPage(status: status, message: message).render(request))
        } else {
            let problem = ProblemDetails(
                type: "about:blank", title: status.reasonPhrase, status: Int(status.code), detail: message,
                instance: request.url.path, fields: (error as? UserError)?.fields)
            response = Response(status: status, headers: headers)
            try? response.content.encode(problem, as: .json)
            response.headers.contentType = ProblemDetails.contentType
        }
        return response
    }

    static func internalMessage(_ language: Language) -> String {
        language == .ja ? "サーバー内部でエラーが発生しました。時間をおいて再度お試しください。" : "something went wrong on the server; please try again later"
    }
}

extension Request {
    /// Pages are for people; everything under /api and anything asking for JSON gets problem JSON.
    var wantsHTML: Bool {
        if self.url.path.hasPrefix("/api/") || self.url.path.hasPrefix("/taxii") { return false }
        if ["/health", "/ready", "/metrics"].contains(self.url.path) { return false }
        let accept = self.headers.first(name: .accept) ?? ""
        return accept.isEmpty || accept.contains("text/html") || accept.contains("*/*")
    }
}

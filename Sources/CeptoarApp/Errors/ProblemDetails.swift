import CeptoarKit
import Vapor

/// RFC 9457 problem details, the body of every API error.
struct ProblemDetails: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String?
    /// The request fields that were wrong (a report's missing or impossible fields), so a
    /// client can point at them; absent when the error is not about fields.
    var fields: [String]? = nil

    static let contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
}

/// A user's mistake in a request, in both languages.
struct UserError: AbortError {
    var status: HTTPResponseStatus
    var ja: String
    var en: String
    var headers: HTTPHeaders = [:]
    /// Set when the access policy refused, so a page can offer the way forward (accept the rules).
    var denial: AccessPolicy.Denial? = nil
    /// The body's fields the error is about, named in the problem JSON.
    var fields: [String]? = nil

    var reason: String { self.en }

    static func badRequest(ja: String, en: String) -> UserError { UserError(status: .badRequest, ja: ja, en: en) }
    static func notFound(ja: String, en: String) -> UserError { UserError(status: .notFound, ja: ja, en: en) }
    static func forbidden(ja: String = "この操作を行う権限がありません", en: String = "you do not have permission for this") -> UserError {
        UserError(status: .forbidden, ja: ja, en: en)
    }
    static let unauthenticated = UserError(status: .unauthorized, ja: "ログインが必要です", en: "sign in first")
}

extension UserError {
    /// A value that did not parse into its bounded type: 400 for a query, 422 for a body.
    init(_ input: InputError, status: HTTPResponseStatus = .unprocessableEntity) {
        self.init(status: status, ja: input.message.ja, en: input.message.text(.en))
    }

    /// Every wrong field of a report (or of a file of them): a 422 naming each.
    init(_ problems: ReportInputProblems) {
        self.init(status: .unprocessableEntity, ja: problems.ja.joined(separator: "。"), en: problems.en.joined(separator: "; "), fields: problems.fields)
    }
}

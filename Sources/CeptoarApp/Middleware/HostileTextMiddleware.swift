import CeptoarKit
import Vapor

/// Refuses, with a 400, any request whose query, JSON body or form holds NUL or another
/// control character (`RequestText`) — before a handler parses it, so nothing of the kind is
/// stored, logged, mailed or put into a header. Bodies of other types (an attachment's bytes)
/// are not text and are left alone.
struct HostileTextMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A path segment becomes a key in an error message and a log line once decoded.
        if let path = request.url.path.removingPercentEncoding, ProtocolText.hasControlCharacters(path) {
            throw Self.refusal(where: ("パス", "the path"))
        }
        if let query = request.url.query, RequestText.formValues(query).contains(where: { RequestText.isForbidden($0, multiline: false) }) {
            throw Self.refusal(where: ("クエリ", "the query"))
        }
        // An attachment's body is a file, whatever type its uploader names (a JSON indicator list).
        let isUpload = request.url.path.hasSuffix("/attachments")
        if !isUpload, let type = request.headers.contentType, type.subType == "json" || type.subType.hasSuffix("+json") || type == .urlEncodedForm,
            let body = try await Self.collected(request), body.readableBytes > 0
        {
            if type != .urlEncodedForm {
                if body.withUnsafeReadableBytes({ RequestText.jsonIsForbidden($0) }) { throw Self.refusal(where: ("本文", "the body")) }
            } else {
                let text = String(buffer: body)
                if RequestText.formValues(text).contains(where: { RequestText.isForbidden($0, multiline: true) }) {
                    throw Self.refusal(where: ("フォーム", "the form"))
                }
            }
        }
        return try await next.respond(to: request)
    }

    /// The body, collected now when it is still streaming (text bodies are small: a route's
    /// own larger limit applies to uploads, which are not text).
    private static func collected(_ request: Request) async throws -> ByteBuffer? {
        if let data = request.body.data { return data }
        return try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
    }

    static func refusal(where place: (ja: String, en: String)) -> UserError {
        UserError.badRequest(
            ja: "\(place.ja)に制御文字（NUL など）が含まれています", en: "\(place.en) contains control characters (such as NUL)")
    }
}

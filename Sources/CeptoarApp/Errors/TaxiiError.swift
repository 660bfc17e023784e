import CeptoarKit
import Vapor

/// A TAXII 2.1 error resource (§3.6.1): what every failure under /taxii2/ answers, never HTML
/// and never problem JSON, in the requester's language.
struct TaxiiError: AbortError {
    var status: HTTPResponseStatus
    var ja: String
    var en: String
    var headers: HTTPHeaders = [:]

    var reason: String { self.en }

    static let notFound = TaxiiError(status: .notFound, ja: "API ルートまたはコレクションが見つかりません", en: "no such API root, collection or object")
    static let unauthenticated = TaxiiError(
        status: .unauthorized, ja: "認証が必要です（API トークンを Bearer、または Basic のパスワードとして）", en: "authenticate with a Ceptoar API token, as a Bearer token or as the Basic password",
        headers: ["WWW-Authenticate": #"Basic realm="ceptoar-taxii", charset="UTF-8""#])
    static func forbidden(ja: String, en: String) -> TaxiiError { TaxiiError(status: .forbidden, ja: ja, en: en) }
    static func badRequest(ja: String, en: String) -> TaxiiError { TaxiiError(status: .badRequest, ja: ja, en: en) }

    struct Resource: Content {
        var title: String
        var description: String
        var http_status: String
    }

    /// The resource for an outcome `ErrorRenderingMiddleware` decided (status, message, headers).
    static func response(status: HTTPResponseStatus, message: String, headers: HTTPHeaders) -> Response {
        let response = Response(status: status, headers: headers)
        let resource = Resource(title: status.reasonPhrase, description: message, http_status: String(status.code))
        response.body = .init(data: (try? JSONEncoder.sorted.encode(resource)) ?? Data())
        response.headers.contentType = TaxiiMedia.taxii
        return response
    }
}

/// The media types of TAXII 2.1 and STIX 2.1.
enum TaxiiMedia {
    static let taxii = HTTPMediaType(type: "application", subType: "taxii+json", parameters: ["version": "2.1"])
    static let stix = "application/stix+json;version=2.1"
}

import CeptoarKit
import Crypto
import Fluent
import Vapor

/// Attachments: the originator uploads a file (raw body, `?filename=`), up to the size limit;
/// anyone the policy lets read the advisory downloads it, each download audited.
struct AttachmentAPIController: RouteCollection {
    /// 10 MiB: enough for a PDF report or an indicator list, small enough to relay to thousands.
    static let maxBytes = 10 * 1024 * 1024

    struct DTO: Content {
        var id: UUID
        var filename: String
        var contentType: String
        var size: Int
        var sha256: String
    }

    func boot(routes: any RoutesBuilder) throws {
        let v1 = routes.grouped("api", "v1")
        v1.on(.POST, "advisories", ":id", "attachments", body: .collect(maxSize: ByteCount(value: Self.maxBytes + 1)), use: self.upload)
        v1.get("advisories", ":id", "attachments", use: self.list)
        v1.get("attachments", ":id", use: self.download)
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let id = try AdvisoryAPIController.id(req)
        let advisory = try await Advisory.require(id, on: req.db)
        guard advisory.$originator.id == user.$organisation.id, user.has(.niscCoordinator) || user.has(.ceptoarSecretariat) else {
            throw UserError.forbidden(ja: "添付できるのは発信元です", en: "only the originator may attach files")
        }
        let given = (req.queryItems["filename"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !given.isEmpty, given.count <= 200, !given.contains("/"), !given.contains("\\"), !ProtocolText.hasControlCharacters(given),
            let filename = ProtocolText.fileName(given)
        else {
            throw UserError(
                status: .unprocessableEntity, ja: "ファイル名（?filename=）を指定してください（スラッシュ・制御文字なし、200文字まで）",
                en: "give a plain file name as ?filename= (no slashes or control characters, up to 200 characters)")
        }
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw UserError(status: .unprocessableEntity, ja: "ファイルの内容がありません", en: "the file is empty")
        }
        guard body.readableBytes <= Self.maxBytes else {
            throw UserError(status: .payloadTooLarge, ja: "ファイルが大きすぎます（10MiBまで）", en: "the file is larger than 10 MiB")
        }
        let data = Data(buffer: body)
        let attachment = AdvisoryAttachment()
        attachment.$advisory.id = id
        attachment.filename = filename
        attachment.contentType = Self.storedContentType(req.headers.contentType)
        attachment.size = data.count
        attachment.sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        attachment.data = data
        try await req.db.atomically { db in
            try await attachment.create(on: db)
            try await AuditLog.append(on: db, actor: user.email, action: "attach", subject: "advisory:\(id)", detail: ["sha256": attachment.sha256, "filename": filename])
        }
        return try await Self.dto(attachment).encodeResponse(status: .created, for: req)
    }

    @Sendable func list(req: Request) async throws -> [DTO] {
        let id = try AdvisoryAPIController.id(req)
        let advisory = try await Advisory.require(id, on: req.db)
        try await Access(database: req.db).requireRead(advisory, by: req.auth.get(User.self))
        let rows = try await AdvisoryAttachment.query(on: req.db).filter(\.$advisory.$id == id)
            .field(\.$id).field(\.$filename).field(\.$contentType).field(\.$size).field(\.$sha256).field(\.$advisory.$id).all()
        return rows.map(Self.dto)
    }

    @Sendable func download(req: Request) async throws -> Response {
        let id = try AdvisoryAPIController.id(req)
        guard let attachment = try await AdvisoryAttachment.find(id, on: req.db) else {
            throw UserError.notFound(ja: "添付ファイルが見つかりません", en: "no such attachment")
        }
        let advisory = try await attachment.$advisory.get(on: req.db)
        let user = req.auth.get(User.self)
        try await Access(database: req.db).requireRead(advisory, by: user)
        try await AuditLog.record(on: req.db, actor: user?.email ?? "anonymous", action: "read", subject: "attachment:\(id)", detail: ["sha256": attachment.sha256])
        let response = Response(status: .ok, body: .init(data: attachment.data))
        // Stored before names and types were checked on upload, a row may still hold anything:
        // both are checked again on the way out.
        let type = ProtocolText.hasControlCharacters(attachment.contentType) ? "application/octet-stream" : attachment.contentType
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        let name = ProtocolText.fileName(attachment.filename) ?? "attachment"
        let ascii = name.unicodeScalars.allSatisfy { $0.isASCII && $0 != "%" } ? name : "attachment"
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "attachment"
        response.headers.replaceOrAdd(name: .contentDisposition, value: #"attachment; filename="\#(ascii)"; filename*=UTF-8''\#(encoded)"#)
        response.headers.replaceOrAdd(name: "Digest", value: "sha-256=\(Data(SHA256.hash(data: attachment.data)).base64EncodedString())")
        return response
    }

    /// The uploader's media type without parameters when it parses as `type/subtype` of
    /// token characters; anything else is stored as a plain download.
    static func storedContentType(_ type: HTTPMediaType?) -> String {
        guard let type else { return "application/octet-stream" }
        let token = { (s: String) in !s.isEmpty && s.count <= 100 && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "!#$&^_.+-".unicodeScalars.contains($0)) } }
        guard token(type.type), token(type.subType) else { return "application/octet-stream" }
        return "\(type.type)/\(type.subType)".lowercased()
    }

    static func dto(_ attachment: AdvisoryAttachment) -> DTO {
        DTO(id: attachment.id!, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, sha256: attachment.sha256)
    }
}

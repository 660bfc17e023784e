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
        let filename = (req.query[String.self, at: "filename"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !filename.isEmpty, filename.count <= 200, !filename.contains("/"), !filename.contains("\\") else {
            throw UserError(status: .unprocessableEntity, ja: "ファイル名（?filename=）を指定してください", en: "give a plain file name as ?filename= (no slashes, up to 200 characters)")
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
        attachment.contentType = req.headers.contentType?.serialize() ?? "application/octet-stream"
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
        response.headers.replaceOrAdd(name: .contentType, value: attachment.contentType)
        let ascii = attachment.filename.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" } ? attachment.filename : "attachment"
        let encoded = attachment.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "attachment"
        response.headers.replaceOrAdd(name: .contentDisposition, value: #"attachment; filename="\#(ascii)"; filename*=UTF-8''\#(encoded)"#)
        response.headers.replaceOrAdd(name: "Digest", value: "sha-256=\(Data(SHA256.hash(data: attachment.data)).base64EncodedString())")
        return response
    }

    static func dto(_ attachment: AdvisoryAttachment) -> DTO {
        DTO(id: attachment.id!, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, sha256: attachment.sha256)
    }
}

import CeptoarKit
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import CeptoarApp

/// A signed-in API client: a token made for a demo account, JSON in and out.
struct APIClient {
    let app: Application
    let token: String

    static func demo(_ app: Application, _ email: String) async throws -> APIClient {
        let (_, secret) = try await app.accounts(on: app.db).createToken(for: email, name: "test", days: nil)
        return APIClient(app: app, token: secret)
    }

    /// The organisation a demo account belongs to.
    static func organisationID(_ app: Application, _ email: String) async throws -> UUID {
        try #require(try await User.query(on: app.db).filter(\.$email == email).first()).$organisation.id
    }

    func send(_ method: HTTPMethod, _ path: String, json: (any Encodable)? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Accept": "application/json", "Accept-Language": "en"]
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        headers.bearerAuthorization = BearerAuthorization(token: self.token)
        var body: ByteBuffer?
        if let json {
            headers.contentType = .json
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            body = ByteBuffer(data: try encoder.encode(json))
        }
        return try await self.app.testing().sendRequest(method, path, headers: headers, body: body)
    }

    /// A raw body of the given type (a CSV upload).
    func send(_ method: HTTPMethod, _ path: String, body: String, contentType: String) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Accept": "application/json", "Accept-Language": "en", "Content-Type": contentType]
        headers.bearerAuthorization = BearerAuthorization(token: self.token)
        return try await self.app.testing().sendRequest(method, path, headers: headers, body: ByteBuffer(string: body))
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestingHTTPResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(buffer: response.body))
    }
}

extension AdvisoryInput {
    static func sample(tlp: String = "AMBER", severity: String = "high", targets: [(String, String)]) -> AdvisoryInput {
        AdvisoryInput(
            title: LocalizedText(ja: "【注意喚起】VPN装置の脆弱性を悪用する攻撃について", en: "Attacks exploiting a VPN appliance vulnerability"),
            body: LocalizedText(ja: "修正プログラムを速やかに適用してください。", en: "Apply the fix promptly."), severity: severity,
            category: "vulnerability", tlp: tlp, targets: targets.map { Target(kind: $0.0, key: $0.1) },
            references: ["CVE-2024-3400", "https://www.nisc.go.jp/"], expiresAt: nil, supersedes: nil)
    }
}

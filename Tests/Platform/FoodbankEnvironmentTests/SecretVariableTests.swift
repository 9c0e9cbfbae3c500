@testable import FoodbankEnvironment
import Foundation
import Testing

@Suite struct SecretVariableTests {
    static func secretFile(_ content: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theVariableOrItsFileButNeverBoth() throws {
        let file = try Self.secretFile("s3cret-from-file\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try SecretVariable.value("PW", in: ["PW": "direct"]) == "direct")
        #expect(try SecretVariable.value("PW", in: ["PW_FILE": file]) == "s3cret-from-file", "the file's trailing newline is not part of the secret")
        #expect(try SecretVariable.value("PW", in: [:]) == nil)
        #expect(throws: SecretVariableError.self) { try SecretVariable.value("PW", in: ["PW": "direct", "PW_FILE": file]) }
    }

    @Test func anUnreadableOrEmptyFileIsAnErrorThatShowsNoSecret() throws {
        let empty = try Self.secretFile("\n")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: SecretVariableError.self) { try SecretVariable.value("PW", in: ["PW_FILE": "/nonexistent/secret"]) }
        #expect(throws: SecretVariableError.self) { try SecretVariable.value("PW", in: ["PW_FILE": empty]) }
        do {
            _ = try SecretVariable.value("PW", in: ["PW": "hunter2", "PW_FILE": empty])
            Issue.record("both set was accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}

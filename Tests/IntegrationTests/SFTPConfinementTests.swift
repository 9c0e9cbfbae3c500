import Foundation
import Testing

extension Integration {
    /// Feed accounts are uploaders from outside the food bank: with the feed key, OpenSSH's own
    /// `sftp` client, as an uploader would use it, must see nothing but the inbox.
    @Suite struct SFTPConfinement {
        @Test func theFeedAccountCannotLeaveTheInbox() throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(TestStack.uniqueName("sftp"))
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let stolen = scratch.appendingPathComponent("hostname")
            // `-` lets the batch go on past a refused command; each is what an uploader could try.
            let commands = ["pwd", "-ls /etc", "-ls /etc/ssh", "-get /etc/hostname \(stolen.path)", "-cd ../../..", "ls -1a"]
            let batch = scratch.appendingPathComponent("batch")
            try Data((commands.joined(separator: "\n") + "\n").utf8).write(to: batch)
            // The host key is not checked here: the server is the stack's own, on 127.0.0.1.
            let result = try runCapturing(URL(fileURLWithPath: "/usr/bin/sftp"), [
                "-b", batch.path, "-i", try TestStack.require("FOODBANK_SFTP_KEY_FILE"), "-P", try TestStack.require("FOODBANK_SFTP_PORT"),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "\(try TestStack.require("FOODBANK_SFTP_USER"))@\(try TestStack.require("FOODBANK_SFTP_HOST"))",
            ], environment: ProcessInfo.processInfo.environment)
            #expect(result.status == 0, "the sftp session failed:\n\(result.output)")
            #expect(!FileManager.default.fileExists(atPath: stolen.path), "/etc/hostname was downloaded")
            #expect(!result.output.contains("ssh_host"), "a host key was listed:\n\(result.output)")
            #expect(result.output.contains("Remote working directory: /inbox"), "the session did not start in /inbox:\n\(result.output)")
            // As far up as the account can go, there is the inbox and nothing else.
            let top = result.output.components(separatedBy: "sftp> ls -1a").last?.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            #expect(Set(top).subtracting([".", ".."]) == ["inbox"], "above the inbox the account sees more than it:\n\(result.output)")
        }
    }
}

import Foundation
import Testing

extension Integration {
    /// scripts/stack.sh, the local stack's own script.
    @Suite struct LocalStack {
        /// Runs the script (it spawns no daemon in these cases, so Process sees it end) and
        /// returns its exit status and combined output.
        func stack(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
            try runCapturing(URL(fileURLWithPath: "/bin/bash"), [TestStack.packageRoot.appendingPathComponent("scripts/stack.sh").path] + arguments,
                             environment: ProcessInfo.processInfo.environment.merging(extra) { _, new in new })
        }

        @Test func startingARunningStackIsANoOp() throws {
            let result = try stack(["start"])
            #expect(result.status == 0, "\(result.output)")
            for part in ["kafka (tansu) already running", "postgres already running", "sftp already running"] {
                #expect(result.output.contains(part), "\(result.output)")
            }
        }

        @Test func aPortHeldByAnotherProgramIsAClearError() throws {
            let holder = try PortHolder()
            let state = FileManager.default.temporaryDirectory.appendingPathComponent(TestStack.uniqueName("stack-state")).path
            defer { try? FileManager.default.removeItem(atPath: state) }
            let result = try stack(["start"], environment: ["FB_STATE": state, "FB_KAFKA_PORT": String(holder.port)])
            #expect(result.status != 0)
            #expect(result.output.contains("port \(holder.port) (kafka) is in use by another program"), "\(result.output)")
            #expect(result.output.contains("FB_KAFKA_PORT"), "the error should say how to choose another port")
        }
    }
}

/// A listening socket on a free loopback port, closed on deinit.
final class PortHolder {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 4) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

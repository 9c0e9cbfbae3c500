import Foundation

/// A process the test starts and may kill with any signal (SIGKILL for crash tests).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL
    let name: String

    init(_ executable: URL, _ arguments: [String], environment: [String: String], name: String) throws {
        self.name = name
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// SIGKILL and reap: the crash the exactly-once guarantees must survive.
    func crash() {
        signal(SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait up to `timeout`; returns whether it exited in time.
    @discardableResult
    func terminate(timeout: TimeInterval = 20) -> Bool {
        guard process.isRunning else { return true }
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { crash(); return false }
        return true
    }

    /// Waits for a process that ends by itself; its exit status, or nil if it was still running at the timeout.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        return process.isRunning ? nil : process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The last lines of the log, for failure messages.
    var logTail: String { log.split(separator: "\n").suffix(15).joined(separator: "\n") }

    deinit {
        if process.isRunning { crash() }
    }
}

/// A Tansu broker of the test's own on a free loopback port (memory storage), for tests that stop,
/// freeze or start the broker without disturbing the shared stack.
final class PrivateBroker: @unchecked Sendable {
    let port: Int
    private var child: ChildProcess?

    init(port: Int = PrivateBroker.freePort()) {
        self.port = port
    }

    var bootstrap: String { "127.0.0.1:\(port)" }

    func start() throws {
        let bin = try TestStack.require("FOODBANK_TANSU_BIN")
        child = try ChildProcess(URL(fileURLWithPath: bin),
                                 ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
                                  "--storage-engine", "memory://tansu/"],
                                 environment: ProcessInfo.processInfo.environment, name: "tansu-\(port)")
        guard eventually(timeout: .seconds(20), { PrivateBroker.isListening(port) }) else {
            throw BrokerError(message: "tansu did not listen on \(port): \(child?.logTail ?? "")")
        }
    }

    func freeze() { child?.signal(SIGSTOP) }
    func thaw() { child?.signal(SIGCONT) }

    func stop() {
        child?.signal(SIGCONT)
        child?.crash()
        child = nil
    }

    deinit { stop() }

    struct BrokerError: Error, CustomStringConvertible { let message: String; var description: String { message } }

    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nothing listens on now (held, then released).
    static func freePort() -> Int {
        (try? PortHolder().port) ?? 0
    }
}

/// Runs a command and waits for it with waitpid. Foundation's Process is not used here: it learns of
/// a child's exit through a descriptor the child inherits, so a command that leaves a daemon behind
/// (pg_ctl starting the server) would never be seen to finish.
func runToCompletion(_ executable: String, _ arguments: [String]) throws -> Int32 {
    var pid: pid_t = 0
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xff
}

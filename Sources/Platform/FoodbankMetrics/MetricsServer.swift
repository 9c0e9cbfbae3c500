#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Prometheus

/// A minimal HTTP/1.1 server for scrapes and probes: GET only, one request per connection, on a
/// thread of its own, so a stage's blocking loop never waits for it. Enough for Prometheus and an
/// orchestrator's health checks; nothing else is served.
public final class MetricsServer: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]

        public init(status: Int, contentType: String, body: [UInt8]) {
            (self.status, self.contentType, self.body) = (status, contentType, body)
        }

        /// The registry in Prometheus' text format.
        public static func prometheus(_ registry: PrometheusCollectorRegistry) -> Response {
            Response(status: 200, contentType: "text/plain; version=0.0.4", body: registry.emitToBuffer())
        }

        /// `ok` with 200, or `unavailable` with 503.
        public static func status(_ healthy: Bool) -> Response {
            Response(status: healthy ? 200 : 503, contentType: "text/plain", body: Array((healthy ? "ok\n" : "unavailable\n").utf8))
        }
    }

    public typealias Route = @Sendable () -> Response

    /// The environment variable that sets the port when no option does.
    public static let portVariable = "FOODBANK_METRICS_PORT"
    /// The port when neither an option nor ``portVariable`` says.
    public static let defaultPort = 9400

    /// The port to serve on: the option's, else ``portVariable``'s, else ``defaultPort`` (0: any free one).
    public static func port(option: Int?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        option ?? environment[portVariable].flatMap(Int.init) ?? defaultPort
    }

    private let routes: [String: Route]
    private let logger: Logger
    private var socketFD: Int32 = -1
    public private(set) var port: Int

    /// `port` 0 picks a free one (read ``port`` after ``start()``).
    public init(port: Int, routes: [String: Route], logger: Logger) {
        self.port = port
        self.routes = routes
        self.logger = logger
    }

    public func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MetricsServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw MetricsServerError("cannot listen on port \(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: actual.sin_port))
        socketFD = fd
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "metrics-server"
        thread.start()
        logger.info("serving /metrics, /healthz and /readyz", metadata: ["port": "\(port)"])
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        // A scraper that connects and says nothing must not hold the server.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16_384, !Self.headerComplete(request) {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            request += buffer[0..<n]
        }
        let response = respond(to: request)
        let head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// The response to a raw request: the route of a GET's path (query ignored), else 404 or 405.
    func respond(to request: [UInt8]) -> Response {
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        guard line.count >= 2 else { return Response(status: 400, contentType: "text/plain", body: Array("bad request\n".utf8)) }
        guard line[0] == "GET" else { return Response(status: 405, contentType: "text/plain", body: Array("only GET\n".utf8)) }
        let path = String(line[1].prefix { $0 != "?" })
        guard let route = routes[path] else { return Response(status: 404, contentType: "text/plain", body: Array("not found\n".utf8)) }
        return route()
    }

    static func headerComplete(_ request: [UInt8]) -> Bool {
        request.count >= 4 && request.indices.dropLast(3).contains { request[$0] == 13 && request[$0 + 1] == 10 && request[$0 + 2] == 13 && request[$0 + 3] == 10 }
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"][status] ?? "Status"
    }
}

public struct MetricsServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One GET to a loopback port over a plain socket, the raw response returned: for probes and tests
/// (Foundation on Linux has no HTTP client without FoundationNetworking).
public func httpGet(port: Int, path: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw MetricsServerError("socket failed") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
    let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { throw MetricsServerError("cannot connect to port \(port)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { break }
        response += buffer[0..<n]
    }
    return String(decoding: response, as: UTF8.self)
}

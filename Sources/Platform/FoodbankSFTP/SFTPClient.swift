import CLibSSH2
import FoodbankEnvironment
import Foundation

/// A blocking SFTP client over libssh2, confined to one inbox: every path it accepts is a plain
/// file name inside a known folder, so a hostile name cannot read outside the inbox.
public final class SFTPClient: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        /// Private key file (the public key beside it is not needed).
        public var privateKeyFile: String
        /// Passphrase of the key, if it has one; from the environment only.
        public var passphrase: String?
        /// The server's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). The
        /// connection is refused when the server presents another key.
        public var hostKeySHA256: String

        public init(host: String, port: Int, user: String, privateKeyFile: String, passphrase: String? = nil, hostKeySHA256: String) {
            self.host = host
            self.port = port
            self.user = user
            self.privateKeyFile = privateKeyFile
            self.passphrase = passphrase
            self.hostKeySHA256 = hostKeySHA256
        }

        public static let hostVariable = "FOODBANK_SFTP_HOST"
        public static let portVariable = "FOODBANK_SFTP_PORT"
        public static let userVariable = "FOODBANK_SFTP_USER"
        public static let keyFileVariable = "FOODBANK_SFTP_KEY_FILE"
        public static let passphraseVariable = "FOODBANK_SFTP_KEY_PASSPHRASE"
        public static let hostKeyVariable = "FOODBANK_SFTP_HOST_KEY_SHA256"

        public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
            guard let host = env[hostVariable], let user = env[userVariable], let key = env[keyFileVariable],
                  let hostKey = env[hostKeyVariable], hostKey.hasPrefix("SHA256:") else {
                throw SFTPError(message: "set \(hostVariable), \(userVariable), \(keyFileVariable) and \(hostKeyVariable) "
                                + "(the server's key as `ssh-keygen -lf` prints it, SHA256:...), and \(portVariable) (default 22)")
            }
            return Configuration(host: host, port: Int(env[portVariable] ?? "22") ?? 22, user: user, privateKeyFile: key,
                                 passphrase: try SecretVariable.value(passphraseVariable, in: env), hostKeySHA256: hostKey)
        }
    }

    public struct Entry: Sendable, Equatable {
        /// What the server says the entry is, without following a link.
        public enum Kind: String, Sendable {
            case file, folder, symbolicLink = "symbolic link", other
        }

        public var name: String
        public var kind: Kind
        public var size: UInt64
        public var modifiedAt: Date

        /// Why the inbox must not read this entry, or nil for a regular file with a plain name. Feed
        /// accounts are outside uploaders: a link could point anywhere the server's account can read.
        public var refusal: String? {
            if kind != .file { return "a \(kind.rawValue), not a regular file: only regular files are read" }
            do { try SFTPClient.checkPathPart(name) } catch { return "\(error)" }
            return nil
        }
    }

    private let socketFD: Int32
    private let session: OpaquePointer
    private let sftp: OpaquePointer

    public init(_ configuration: Configuration) throws {
        _ = libssh2_init(0)
        socketFD = try Self.connect(host: configuration.host, port: configuration.port)
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(socketFD)
            throw SFTPError(message: "libssh2 could not create a session")
        }
        self.session = session
        libssh2_session_set_blocking(session, 1)
        func fail(_ what: String) -> SFTPError {
            var message: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            libssh2_session_last_error(session, &message, &length, 0)
            return SFTPError(message: "\(what) \(configuration.user)@\(configuration.host):\(configuration.port): \(message.map { String(cString: $0) } ?? "unknown")")
        }
        guard libssh2_session_handshake(session, socketFD) == 0 else {
            let error = fail("SSH handshake with")
            libssh2_session_free(session); close(socketFD)
            throw error
        }
        // Authenticate the server before sending it anything of ours.
        let presented = Self.fingerprint(session)
        guard presented == configuration.hostKeySHA256 else {
            libssh2_session_free(session); close(socketFD)
            throw SFTPError(message: "host key of \(configuration.host):\(configuration.port) is \(presented ?? "unknown"), expected \(configuration.hostKeySHA256): refusing to connect")
        }
        let authenticated = libssh2_userauth_publickey_fromfile_ex(session, configuration.user, UInt32(configuration.user.utf8.count),
                                                                    nil, configuration.privateKeyFile, configuration.passphrase)
        guard authenticated == 0, let sftp = libssh2_sftp_init(session) else {
            let error = fail(authenticated == 0 ? "starting SFTP with" : "key authentication as")
            libssh2_session_free(session); close(socketFD)
            throw error
        }
        self.sftp = sftp
    }

    deinit {
        libssh2_sftp_shutdown(sftp)
        libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "bye", "")
        libssh2_session_free(session)
        close(socketFD)
    }

    /// Every entry directly in the folder whose path components are `folder` (relative to the inbox
    /// the server starts in) but `.` and `..`: links, folders and odd names too, so that the caller
    /// refuses them with a reason (``Entry/refusal``) rather than never seeing them.
    public func list(_ folder: [String]) throws -> [Entry] {
        let folder = try Self.path(folder)
        guard let handle = libssh2_sftp_open_ex(sftp, folder, UInt32(folder.utf8.count), 0, 0, LIBSSH2_SFTP_OPENDIR) else {
            throw SFTPError(message: "cannot open folder \(folder) (SFTP error \(libssh2_sftp_last_error(sftp)))")
        }
        defer { libssh2_sftp_close_handle(handle) }
        var entries: [Entry] = []
        var buffer = [CChar](repeating: 0, count: 1024)
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        while true {
            let length = libssh2_sftp_readdir_ex(handle, &buffer, buffer.count, nil, 0, &attributes)
            if length <= 0 { break }
            let name = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard name != ".", name != ".." else { continue }
            entries.append(Entry(name: name, kind: Self.kind(attributes), size: attributes.filesize,
                                 modifiedAt: Date(timeIntervalSince1970: TimeInterval(attributes.mtime))))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The whole content of `folder/name`, refusing more than `limit` bytes.
    public func read(_ folder: [String], _ name: String, limit: Int = 256 << 20) throws -> [UInt8] {
        let path = try Self.path(folder + [name])
        guard let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE) else {
            throw SFTPError(message: "cannot open \(path) (SFTP error \(libssh2_sftp_last_error(sftp)))")
        }
        defer { libssh2_sftp_close_handle(handle) }
        var content: [UInt8] = []
        var chunk = [CChar](repeating: 0, count: 64 << 10)
        while true {
            let n = libssh2_sftp_read(handle, &chunk, chunk.count)
            if n == 0 { break }
            guard n > 0 else { throw SFTPError(message: "reading \(path) failed (\(n))") }
            content.append(contentsOf: chunk.prefix(n).map { UInt8(bitPattern: $0) })
            guard content.count <= limit else { throw SFTPError(message: "\(path) is larger than \(limit) bytes") }
        }
        return content
    }

    /// OpenSSH's server reads directory attributes with lstat: a link is a link, never its target.
    private static func kind(_ attributes: LIBSSH2_SFTP_ATTRIBUTES) -> Entry.Kind {
        guard attributes.flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0 else { return .other }
        switch attributes.permissions & UInt(LIBSSH2_SFTP_S_IFMT) {
        case UInt(LIBSSH2_SFTP_S_IFREG): return .file
        case UInt(LIBSSH2_SFTP_S_IFDIR): return .folder
        case UInt(LIBSSH2_SFTP_S_IFLNK): return .symbolicLink
        default: return .other
        }
    }

    static func path(_ components: [String]) throws -> String {
        guard !components.isEmpty else { throw SFTPError(message: "empty path") }
        for component in components { try checkPathPart(component) }
        return components.joined(separator: "/")
    }

    /// `SHA256:<base64, unpadded>` of the server's host key, as OpenSSH prints fingerprints.
    static func fingerprint(_ session: OpaquePointer) -> String? {
        guard let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else { return nil }
        let bytes = Data(bytes: hash, count: 32)
        return "SHA256:" + bytes.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// A folder or file name must be one plain path component: no separators, no `..`, no hidden files.
    static func checkPathPart(_ part: String) throws {
        guard !part.isEmpty, !part.contains("/"), !part.contains("\\"), !part.hasPrefix("."), !part.contains("\0") else {
            throw SFTPError(message: "refusing path component \"\(part)\": names must stay inside the inbox")
        }
    }

    private static func connect(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw SFTPError(message: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0, Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            if fd >= 0 { close(fd) }
            candidate = info.pointee.ai_next
        }
        throw SFTPError(message: "cannot connect to \(host):\(port)")
    }
}

public struct SFTPError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

import Foundation

/// A secret setting comes from the environment only: from its variable, or from the file its
/// `<NAME>_FILE` variable names (Docker and Kubernetes hand secrets over as files), never both.
/// Neither the value nor the file's content is ever part of an error.
public enum SecretVariable {
    public static let fileSuffix = "_FILE"

    /// The secret `name`, or nil when neither variable is set.
    public static func value(_ name: String, in environment: [String: String]) throws -> String? {
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = environment[name + fileSuffix], !path.isEmpty else { return direct }
        guard direct == nil else { throw SecretVariableError(message: "both \(name) and \(name)\(fileSuffix) are set: set one") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretVariableError(message: "\(name)\(fileSuffix) names \(path), which cannot be read")
        }
        // Secret files usually end with a newline; the secret itself does not.
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last.isNewline { text.removeLast() }
        guard !text.isEmpty else { throw SecretVariableError(message: "\(name)\(fileSuffix) names \(path), which is empty") }
        return text
    }
}

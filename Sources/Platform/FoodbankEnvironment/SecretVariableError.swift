public struct SecretVariableError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

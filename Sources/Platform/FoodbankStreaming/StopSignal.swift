import Dispatch
import Foundation

/// A flag set by SIGTERM or SIGINT (or by code), polled by the stage loops between batches so a
/// stop finishes or aborts the open transaction and leaves the group cleanly.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    public func stop() {
        lock.lock(); defer { lock.unlock() }
        stopped = true
    }

    /// Installs handlers for SIGTERM and SIGINT that call ``stop()``.
    public func installSignalHandlers(queue: DispatchQueue = DispatchQueue(label: "foodbank.signals")) {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.stop() }
            source.resume()
            sources.append(source)
        }
    }
}

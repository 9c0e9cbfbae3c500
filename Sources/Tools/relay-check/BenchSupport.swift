import FoodbankStreaming
import Foundation

/// One stage's figures over a run: input records consumed, records written, seconds.
struct Measured {
    let records: Int
    let written: Int
    let seconds: Double
    var rate: Double { Double(records) / max(seconds, 1e-9) }
}

/// Runs a stage's loop on a thread until it has consumed `processed` records; timed from its first
/// commit, so the group join and the first batch are left out.
func measure(_ name: String, until processed: Int, _ loop: StageLoop) throws -> Measured {
    let stop = StopSignal()
    let failure = Failure()
    let thread = Thread {
        do { try loop.run(until: stop) } catch { failure.set(error) }
        stop.stop()
    }
    thread.start()
    let deadline = ContinuousClock.now + .seconds(3600)
    while loop.statistics.processed < processed, !stop.isStopped, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
    let end = Date()
    stop.stop()
    while thread.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
    if let error = failure.error { throw error }
    guard loop.statistics.processed >= processed else { throw BenchError("\(name) consumed \(loop.statistics.processed) of \(processed)") }
    return Measured(records: loop.statistics.processed, written: loop.statistics.written, seconds: end.timeIntervalSince(loop.statistics.firstCommitAt ?? end))
}

/// Latency figures in milliseconds from samples.
struct Latency {
    let count: Int
    let p50: Double
    let p99: Double
    let max: Double

    init(milliseconds samples: [Double]) throws {
        let sorted = samples.sorted()
        guard let last = sorted.last else { throw BenchError("no records to time") }
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        (count, p50, p99, max) = (sorted.count, percentile(0.5), percentile(0.99), last)
    }
}

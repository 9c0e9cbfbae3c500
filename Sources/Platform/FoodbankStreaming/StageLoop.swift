/// What both loops are to whoever runs them: something that runs until stopped and counts its work.
public protocol StageLoop: AnyObject {
    var statistics: StageStatistics { get }
    func run(until stop: StopSignal) throws
}

extension TransactionalRelay: StageLoop {}
extension PostgresSink: StageLoop {}

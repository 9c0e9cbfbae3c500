import FoodbankKafka
@testable import FoodbankStreaming
import Testing

@Suite struct IdlePositionsTests {
    let a = TopicPartition(topic: "t", partition: 0)
    let b = TopicPartition(topic: "t", partition: 1)

    @Test func aPositionIsSettledWhenTwoProbesInARowSawIt() {
        var idle = IdlePositions()
        #expect(idle.settled([a: 6, b: 3]).isEmpty, "a first sighting is never stored")
        #expect(idle.settled([a: 6, b: 4]) == [a: 6], "b moved between the probes")
        #expect(idle.settled([a: 6, b: 4]) == [a: 6, b: 4])
    }

    /// The case it exists for: a batch dropped after a rebalance, the consumer sent back to the
    /// stored offset, and a probe reading the dropped batch's end before the seek took effect.
    @Test func aBatchSeekOrRebalanceBetweenProbesForgetsWhatTheLastOneSaw() {
        var idle = IdlePositions()
        _ = idle.settled([a: 6])
        idle.forget()
        #expect(idle.settled([a: 6]).isEmpty)
        #expect(idle.settled([a: 6]) == [a: 6])
    }
}

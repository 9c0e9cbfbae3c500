import Testing

/// Every test that touches the local stack runs inside this suite, one at a time: some restart the
/// database or freeze a broker, which would disturb a neighbour running in parallel.
@Suite(.serialized) struct Integration {}

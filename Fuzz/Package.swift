// swift-tools-version:6.0
// libFuzzer targets for the platform's readers of outside bytes: a package of its own, so the main
// package's `swift build` and `swift test` never see the executables that only link with libFuzzer's
// main (-sanitize=fuzzer). scripts/fuzz.sh builds and runs them.
import PackageDescription

// Each target defines LLVMFuzzerTestOneInput and no entry point: libFuzzer's main drives it.
let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "foodbank-fuzz",
    dependencies: [.package(name: "foodbank-platform", path: "..")],
    targets: [
        // The SFTP feed files: CSV shape, then the rows as normalize reads them.
        .executableTarget(name: "fuzz-feed-parser", dependencies: [
            .product(name: "FoodbankFeeds", package: "foodbank-platform"),
            .product(name: "FoodbankCanonical", package: "foodbank-platform"),
            .product(name: "FoodbankJSON", package: "foodbank-platform"),
        ], swiftSettings: fuzzSettings),
        // wal2json rows from a replication slot, to the Debezium envelopes cdc publishes.
        .executableTarget(name: "fuzz-wal2json", dependencies: [
            .product(name: "FoodbankCDC", package: "foodbank-platform"),
            .product(name: "FoodbankJSON", package: "foodbank-platform"),
        ], swiftSettings: fuzzSettings),
        // A raw record's value as normalize reads it, under every raw source's rule.
        .executableTarget(name: "fuzz-debezium-envelope", dependencies: [
            .product(name: "FoodbankCanonical", package: "foodbank-platform"),
            .product(name: "FoodbankJSON", package: "foodbank-platform"),
        ], swiftSettings: fuzzSettings),
        // A canonical record's value as reconcile, dq and nightly read it.
        .executableTarget(name: "fuzz-canonical-record", dependencies: [
            .product(name: "FoodbankCanonical", package: "foodbank-platform"),
            .product(name: "FoodbankReconcile", package: "foodbank-platform"),
            .product(name: "FoodbankDQ", package: "foodbank-platform"),
            .product(name: "FoodbankNightly", package: "foodbank-platform"),
        ], swiftSettings: fuzzSettings),
    ],
    swiftLanguageModes: [.v5]
)

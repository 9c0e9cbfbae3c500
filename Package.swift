// swift-tools-version:6.0
// The food bank data platform: one package, a library per concern, thin executables per consumer group.
import Foundation
import PackageDescription

// scripts/setup.sh builds librdkafka into this prefix when the system's is older than 2.8 (Debian
// bookworm ships 2.0.2, which cannot talk to the local broker). The run path makes every binary load
// that build, never an older system copy; where the folder does not exist (containers) it is inert.
let localLibraryPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(".local/prefix/lib").path

let package = Package(
    name: "foodbank-platform",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "foodbank-ctl", targets: ["foodbank-ctl"]),
        .executable(name: "relay-check", targets: ["relay-check"]),
        .executable(name: "cdc", targets: ["cdc"]),
        .executable(name: "sftp-watcher", targets: ["sftp-watcher"]),
        .executable(name: "simulator", targets: ["simulator"]),
        .executable(name: "normalize", targets: ["normalize"]),
        .executable(name: "dedupe", targets: ["dedupe"]),
        .executable(name: "reconcile", targets: ["reconcile"]),
        .executable(name: "dq", targets: ["dq"]),
        .executable(name: "nightly", targets: ["nightly"]),
        // The libraries whose readers of outside bytes Fuzz/ (a package of its own) fuzzes.
        .library(name: "FoodbankJSON", targets: ["FoodbankJSON"]),
        .library(name: "FoodbankFeeds", targets: ["FoodbankFeeds"]),
        .library(name: "FoodbankCDC", targets: ["FoodbankCDC"]),
        .library(name: "FoodbankCanonical", targets: ["FoodbankCanonical"]),
        .library(name: "FoodbankReconcile", targets: ["FoodbankReconcile"]),
        .library(name: "FoodbankDQ", targets: ["FoodbankDQ"]),
        .library(name: "FoodbankNightly", targets: ["FoodbankNightly"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // RFC 4180 parsing for the SFTP feeds (quotes, newlines inside quotes, CRLF).
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        // The Prometheus text format for the consumers' /metrics.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        // Generated source histories, with shrinking, for the oracle's randomized tests.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        // C libraries, found through pkg-config (scripts/env.sh points it at the project-local librdkafka).
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson", providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),

        // Layers over the C libraries: Swift values in, Swift values and errors out.
        // Secrets from the environment: a variable or the file its _FILE variable names.
        .target(name: "FoodbankEnvironment"),
        .target(name: "FoodbankKafka", dependencies: ["CRdKafka", "FoodbankEnvironment", .product(name: "Logging", package: "swift-log")],
                linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", localLibraryPath])]),
        .target(name: "FoodbankPostgres", dependencies: ["CLibPQ", "FoodbankEnvironment", "FoodbankJSON", .product(name: "Logging", package: "swift-log")]),
        .target(name: "FoodbankJSON", dependencies: ["CJansson"]),
        .target(name: "FoodbankSFTP", dependencies: ["CLibSSH2", "FoodbankEnvironment"]),
        // The two CSV feeds: definitions, parsing, and the manifest rules for re-delivered and corrected files.
        .target(name: "FoodbankFeeds", dependencies: [
            "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankSFTP",
            .product(name: "CSV", package: "CSV.swift"), .product(name: "Logging", package: "swift-log"),
        ]),

        // nightly's stage: when a day is due, the finance snapshot of a day (versioned), its inputs.
        .target(name: "FoodbankNightly", dependencies: [
            "FoodbankCalendar", "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The operator's work over the whole fleet: the groups declared once, their lag, replays.
        .target(name: "FoodbankOperations", dependencies: [
            "FoodbankCanonical", "FoodbankDQ", "FoodbankDedupe", "FoodbankKafka", "FoodbankNightly", "FoodbankNormalize", "FoodbankPostgres", "FoodbankReconcile",
            "FoodbankStreaming", "FoodbankTopics", .product(name: "Logging", package: "swift-log"),
        ]),

        // The single declaration of every topic, read by provisioning and by the stages.
        .target(name: "FoodbankTopics", dependencies: ["FoodbankJSON", "FoodbankKafka"]),

        // The exactly-once loops every stage is built on: Kafka->Kafka and Kafka->PostgreSQL.
        .target(name: "FoodbankStreaming", dependencies: [
            "FoodbankKafka", "FoodbankPostgres", .product(name: "Logging", package: "swift-log"),
        ]),

        // Every consumer's /metrics, /healthz and /readyz: a StageObserver into Prometheus' registry, and a small HTTP server.
        .target(name: "FoodbankMetrics", dependencies: [
            "FoodbankKafka", "FoodbankStreaming", .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log"),
        ]),

        // Days to calendar dates and back, under the hand-written timestamp code of cdc and the canonical models.
        .target(name: "FoodbankCalendar"),

        // Change data capture from the source databases: Debezium's envelope, wal2json decoding, slots.
        .target(name: "FoodbankCDC", dependencies: [
            "FoodbankEnvironment",
            "FoodbankCalendar", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", .product(name: "Logging", package: "swift-log"),
        ]),

        // The canonical models and the rules that turn source records into them.
        .target(name: "FoodbankCanonical", dependencies: ["FoodbankCalendar", "FoodbankJSON"]),

        // normalize's stage: raw records to canonical ones, lines keyed through their header's facts.
        .target(name: "FoodbankNormalize", dependencies: ["FoodbankCanonical", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics"]),

        // dedupe's stage: each event id once, with a bounded window of seen ids rebuilt from a changelog.
        .target(name: "FoodbankDedupe", dependencies: [
            "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankStreaming", "FoodbankTopics", .product(name: "Logging", package: "swift-log"),
        ]),

        // reconcile's stage: the ledger of inventory events, balances, item weights, freshness.
        .target(name: "FoodbankReconcile", dependencies: [
            "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // dq's checks, declared in one place, and the state that lets them be judged again as facts change.
        .target(name: "FoodbankDQ", dependencies: [
            "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The independent check: the curated tables computed straight from the sources as the contract
        // defines them (plain SQL over copies of the source tables, a fold over the feed files), and
        // their comparison with a deployment's. Shares nothing with the stages.
        .target(name: "FoodbankOracle", dependencies: ["FoodbankFeeds", "FoodbankPostgres", "FoodbankSFTP"]),

        // Simulated activity of the six sources, with dirty cases and the truth they imply.
        .target(name: "FoodbankSimulator", dependencies: ["FoodbankCalendar", "FoodbankJSON", "FoodbankPostgres"]),

        // Executables: thin wiring.
        .executableTarget(name: "foodbank-ctl", dependencies: [
            "FoodbankCanonical", "FoodbankEnvironment", "FoodbankKafka", "FoodbankMetrics", "FoodbankOperations", "FoodbankOracle", "FoodbankPostgres",
            "FoodbankSFTP", "FoodbankTopics", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The exactly-once self-check and the benchmarks of the Kafka layer and of normalize and dedupe.
        .executableTarget(name: "relay-check", dependencies: [
            "FoodbankStreaming", "FoodbankKafka", "FoodbankPostgres", "FoodbankCanonical", "FoodbankDedupe", "FoodbankNormalize",
            "FoodbankSimulator", "FoodbankTopics", "FoodbankReconcile", "FoodbankDQ", "FoodbankJSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Random histories of the six sources written from the contract, and the stack they run on (tests only).
        .target(name: "FoodbankHistories", dependencies: [
            "FoodbankOracle", "FoodbankPostgres", .product(name: "PropertyBased", package: "swift-property-based"),
        ], path: "Tests/Support/FoodbankHistories"),
        .testTarget(name: "FoodbankOracleTests", dependencies: [
            "FoodbankOracle", "FoodbankFeeds", "FoodbankHistories", "FoodbankPostgres", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "FoodbankEnvironmentTests", dependencies: ["FoodbankEnvironment"]),
        .testTarget(name: "FoodbankCDCTests", dependencies: ["FoodbankCDC", "FoodbankCanonical", "FoodbankJSON"]),
        .executableTarget(name: "cdc", dependencies: [
            "FoodbankCDC", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "sftp-watcher", dependencies: [
            "FoodbankFeeds", "FoodbankKafka", "FoodbankMetrics", "FoodbankPostgres", "FoodbankSFTP", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "simulator", dependencies: [
            "FoodbankSimulator", "FoodbankPostgres", "FoodbankCDC",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "normalize", dependencies: [
            "FoodbankMetrics", "FoodbankCanonical", "FoodbankKafka", "FoodbankNormalize", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "dedupe", dependencies: [
            "FoodbankMetrics", "FoodbankCanonical", "FoodbankDedupe", "FoodbankKafka", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "reconcile", dependencies: [
            "FoodbankMetrics", "FoodbankKafka", "FoodbankPostgres", "FoodbankReconcile", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "FoodbankReconcileTests", dependencies: ["FoodbankReconcile", "FoodbankCanonical", "FoodbankJSON"]),

        .executableTarget(name: "dq", dependencies: [
            "FoodbankMetrics", "FoodbankDQ", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "nightly", dependencies: [
            "FoodbankCanonical", "FoodbankKafka", "FoodbankMetrics", "FoodbankNightly", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "FoodbankNightlyTests", dependencies: ["FoodbankNightly", "FoodbankCanonical", "FoodbankJSON"]),
        .testTarget(name: "FoodbankDQTests", dependencies: ["FoodbankDQ", "FoodbankCanonical", "FoodbankJSON"]),

        .testTarget(name: "FoodbankNormalizeTests", dependencies: ["FoodbankNormalize", "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankStreaming"]),
        .testTarget(name: "FoodbankDedupeTests", dependencies: ["FoodbankDedupe", "FoodbankKafka", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "FoodbankCanonicalTests", dependencies: ["FoodbankCanonical", "FoodbankJSON"]),
        .testTarget(name: "FoodbankSimulatorTests", dependencies: ["FoodbankSimulator"]),
        .testTarget(name: "BadInputCatalogueTests", dependencies: [
            "FoodbankCDC", "FoodbankCanonical", "FoodbankFeeds", "FoodbankSFTP", "FoodbankJSON", "FoodbankReconcile", "FoodbankDQ", "FoodbankNightly",
        ]),
        .testTarget(name: "FoodbankFeedsTests", dependencies: ["FoodbankFeeds", "FoodbankSFTP"]),
        .testTarget(name: "FoodbankKafkaTests", dependencies: ["FoodbankKafka", "CRdKafka"]),
        .testTarget(name: "FoodbankPostgresTests", dependencies: ["FoodbankPostgres"]),
        .testTarget(name: "FoodbankJSONTests", dependencies: ["FoodbankJSON"]),
        .testTarget(name: "FoodbankTopicsTests", dependencies: ["FoodbankTopics", "FoodbankCanonical"]),
        .testTarget(name: "FoodbankMetricsTests", dependencies: ["FoodbankMetrics", "FoodbankKafka", "FoodbankStreaming"]),
        .testTarget(name: "FoodbankStreamingTests", dependencies: ["FoodbankStreaming", "FoodbankKafka"]),
        .testTarget(name: "DeploymentTests", dependencies: ["FoodbankTopics", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankCDC", "FoodbankSFTP", "FoodbankSimulator", "FoodbankEnvironment"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "FoodbankKafka", "FoodbankPostgres", "FoodbankTopics", "FoodbankStreaming", "FoodbankJSON", "FoodbankCDC",
            "FoodbankFeeds", "FoodbankSimulator", "FoodbankCanonical", "FoodbankNormalize", "FoodbankDedupe", "FoodbankDQ", "FoodbankReconcile", "FoodbankMetrics", "FoodbankOperations", "FoodbankNightly",
            "FoodbankOracle", "FoodbankHistories", .product(name: "PropertyBased", package: "swift-property-based"),
            "relay-check", "cdc", "sftp-watcher", "simulator", "normalize", "dedupe", "reconcile", "dq", "nightly", "foodbank-ctl",
        ]),
    ],
    swiftLanguageModes: [.v5]
)

// swift-tools-version:6.0
// The food bank data platform: one package, a library per concern, thin executables per consumer group.
// The targets follow the tree: the platform layers (Sources/Platform), the pipeline's stages in flow
// order, each with its library and its executable (Sources/Pipeline/<n>-<stage>), the operator's
// tools (Sources/Operations), development tools (Sources/Tools); the tests mirror them.
import Foundation
import PackageDescription

// scripts/setup.sh builds librdkafka into this prefix when the system's is older than 2.8 (Debian
// bookworm ships 2.0.2, which cannot talk to the local broker). The run path makes every binary load
// that build, never an older system copy; where the folder does not exist (containers) it is inert.
let localLibraryPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(".local/prefix/lib").path

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let propertyBased = Target.Dependency.product(name: "PropertyBased", package: "swift-property-based")

/// Where a stage's targets live: `Pipeline/<n>-<stage>/<target>`.
func stage(_ folder: String, _ target: String) -> String { "Sources/Pipeline/\(folder)/\(target)" }
func stageTests(_ folder: String, _ target: String) -> String { "Tests/Pipeline/\(folder)/\(target)" }

let package = Package(
    name: "foodbank-platform",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cdc", targets: ["cdc"]),
        .executable(name: "sftp-watcher", targets: ["sftp-watcher"]),
        .executable(name: "normalize", targets: ["normalize"]),
        .executable(name: "dedupe", targets: ["dedupe"]),
        .executable(name: "reconcile", targets: ["reconcile"]),
        .executable(name: "dq", targets: ["dq"]),
        .executable(name: "nightly", targets: ["nightly"]),
        .executable(name: "foodbank-ctl", targets: ["foodbank-ctl"]),
        .executable(name: "simulator", targets: ["simulator"]),
        .executable(name: "relay-check", targets: ["relay-check"]),
        // The libraries whose readers of outside bytes Fuzz/ (a package of its own) fuzzes.
        .library(name: "FoodbankJSON", targets: ["FoodbankJSON"]),
        .library(name: "FoodbankCDC", targets: ["FoodbankCDC"]),
        .library(name: "FoodbankFeeds", targets: ["FoodbankFeeds"]),
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
        // MARK: Platform: the C libraries and the Swift layers over them, below every stage.

        // C libraries, found through pkg-config (scripts/env.sh points it at the project-local librdkafka).
        .systemLibrary(name: "CRdKafka", path: "Sources/Platform/CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/Platform/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CJansson", path: "Sources/Platform/CJansson", pkgConfig: "jansson", providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CLibSSH2", path: "Sources/Platform/CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        // Secrets from the environment: a variable or the file its _FILE variable names.
        .target(name: "FoodbankEnvironment", path: "Sources/Platform/FoodbankEnvironment"),
        // Days to calendar dates and back, under the hand-written timestamp code of cdc and the canonical models.
        .target(name: "FoodbankCalendar", path: "Sources/Platform/FoodbankCalendar"),
        // Layers over the C libraries: Swift values in, Swift values and errors out.
        .target(name: "FoodbankJSON", dependencies: ["CJansson"], path: "Sources/Platform/FoodbankJSON"),
        .target(name: "FoodbankKafka", dependencies: ["CRdKafka", "FoodbankEnvironment", logging], path: "Sources/Platform/FoodbankKafka",
                linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", localLibraryPath])]),
        .target(name: "FoodbankPostgres", dependencies: ["CLibPQ", "FoodbankEnvironment", "FoodbankJSON", logging],
                path: "Sources/Platform/FoodbankPostgres"),
        .target(name: "FoodbankSFTP", dependencies: ["CLibSSH2", "FoodbankEnvironment"], path: "Sources/Platform/FoodbankSFTP"),
        // The single declaration of every topic, read by provisioning and by the stages.
        .target(name: "FoodbankTopics", dependencies: ["FoodbankJSON", "FoodbankKafka"], path: "Sources/Platform/FoodbankTopics"),
        // The exactly-once loops every stage is built on: Kafka->Kafka and Kafka->PostgreSQL.
        .target(name: "FoodbankStreaming", dependencies: ["FoodbankKafka", "FoodbankPostgres", logging], path: "Sources/Platform/FoodbankStreaming"),
        // Every consumer's /metrics, /healthz and /readyz: a StageObserver into Prometheus' registry, and a small HTTP server.
        .target(name: "FoodbankMetrics", dependencies: ["FoodbankKafka", "FoodbankStreaming", prometheus, logging],
                path: "Sources/Platform/FoodbankMetrics"),

        // MARK: Pipeline, in flow order: ingestion (cdc, sftp-watcher), normalize, dedupe, reconcile, dq, nightly.

        // Change data capture from the source databases: Debezium's envelope, wal2json decoding, slots.
        .target(name: "FoodbankCDC", dependencies: ["FoodbankEnvironment", "FoodbankCalendar", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", logging],
                path: stage("1-cdc", "FoodbankCDC")),
        .executableTarget(name: "cdc", dependencies: [
            "FoodbankCDC", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics", argumentParser, logging,
        ], path: stage("1-cdc", "cdc")),

        // The two CSV feeds: definitions, parsing, and the manifest rules for re-delivered and corrected files.
        .target(name: "FoodbankFeeds", dependencies: [
            "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankSFTP", .product(name: "CSV", package: "CSV.swift"), logging,
        ], path: stage("1-sftp-watcher", "FoodbankFeeds")),
        .executableTarget(name: "sftp-watcher", dependencies: [
            "FoodbankFeeds", "FoodbankKafka", "FoodbankMetrics", "FoodbankPostgres", "FoodbankSFTP", "FoodbankStreaming", "FoodbankTopics",
            argumentParser, logging,
        ], path: stage("1-sftp-watcher", "sftp-watcher")),

        // The canonical models and the rules that turn source records into them.
        .target(name: "FoodbankCanonical", dependencies: ["FoodbankCalendar", "FoodbankJSON"], path: stage("2-normalize", "FoodbankCanonical")),
        // normalize's stage: raw records to canonical ones, lines keyed through their header's facts.
        .target(name: "FoodbankNormalize", dependencies: ["FoodbankCanonical", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics"],
                path: stage("2-normalize", "FoodbankNormalize")),
        .executableTarget(name: "normalize", dependencies: [
            "FoodbankMetrics", "FoodbankCanonical", "FoodbankKafka", "FoodbankNormalize", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            argumentParser, logging,
        ], path: stage("2-normalize", "normalize")),

        // dedupe's stage: each event id once, with a bounded window of seen ids rebuilt from a changelog.
        .target(name: "FoodbankDedupe", dependencies: ["FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankStreaming", "FoodbankTopics", logging],
                path: stage("3-dedupe", "FoodbankDedupe")),
        .executableTarget(name: "dedupe", dependencies: [
            "FoodbankMetrics", "FoodbankCanonical", "FoodbankDedupe", "FoodbankKafka", "FoodbankStreaming", "FoodbankTopics", argumentParser, logging,
        ], path: stage("3-dedupe", "dedupe")),

        // reconcile's stage: the ledger of inventory events, balances, item weights, freshness.
        .target(name: "FoodbankReconcile", dependencies: [
            "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics", logging,
        ], path: stage("4-reconcile", "FoodbankReconcile")),
        .executableTarget(name: "reconcile", dependencies: [
            "FoodbankMetrics", "FoodbankKafka", "FoodbankPostgres", "FoodbankReconcile", "FoodbankStreaming", "FoodbankTopics", argumentParser, logging,
        ], path: stage("4-reconcile", "reconcile")),

        // dq's checks, declared in one place, and the state that lets them be judged again as facts change.
        .target(name: "FoodbankDQ", dependencies: [
            "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics", logging,
        ], path: stage("5-dq", "FoodbankDQ")),
        .executableTarget(name: "dq", dependencies: [
            "FoodbankMetrics", "FoodbankDQ", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics", argumentParser, logging, prometheus,
        ], path: stage("5-dq", "dq")),

        // nightly's stage: when a day is due, the finance snapshot of a day (versioned), its inputs.
        .target(name: "FoodbankNightly", dependencies: [
            "FoodbankCalendar", "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics", logging,
        ], path: stage("6-nightly", "FoodbankNightly")),
        .executableTarget(name: "nightly", dependencies: [
            "FoodbankCanonical", "FoodbankKafka", "FoodbankMetrics", "FoodbankNightly", "FoodbankPostgres", "FoodbankStreaming", "FoodbankTopics",
            argumentParser, logging, prometheus,
        ], path: stage("6-nightly", "nightly")),

        // MARK: Operations: the operator's work over the whole fleet, and the independent check.

        // The groups declared once, their lag, replays, the conversion to row-state counting.
        .target(name: "FoodbankOperations", dependencies: [
            "FoodbankCanonical", "FoodbankDQ", "FoodbankDedupe", "FoodbankKafka", "FoodbankNightly", "FoodbankNormalize", "FoodbankPostgres", "FoodbankReconcile",
            "FoodbankStreaming", "FoodbankTopics", logging,
        ], path: "Sources/Operations/FoodbankOperations"),
        // The independent check: the curated tables computed straight from the sources as the contract
        // defines them (plain SQL over copies of the source tables, a fold over the feed files), and
        // their comparison with a deployment's. Shares nothing with the stages.
        .target(name: "FoodbankOracle", dependencies: ["FoodbankFeeds", "FoodbankPostgres", "FoodbankSFTP"], path: "Sources/Operations/FoodbankOracle"),
        .executableTarget(name: "foodbank-ctl", dependencies: [
            "FoodbankCanonical", "FoodbankEnvironment", "FoodbankKafka", "FoodbankMetrics", "FoodbankOperations", "FoodbankOracle", "FoodbankPostgres",
            "FoodbankSFTP", "FoodbankTopics", argumentParser, logging,
        ], path: "Sources/Operations/foodbank-ctl"),

        // MARK: Tools: simulated sources, the exactly-once self-check and the benchmarks.

        // Simulated activity of the six sources, with dirty cases and the truth they imply.
        .target(name: "FoodbankSimulator", dependencies: ["FoodbankCalendar", "FoodbankJSON", "FoodbankPostgres"], path: "Sources/Tools/FoodbankSimulator"),
        .executableTarget(name: "simulator", dependencies: ["FoodbankSimulator", "FoodbankPostgres", "FoodbankCDC", argumentParser, logging],
                          path: "Sources/Tools/simulator"),
        // The exactly-once self-check and the benchmarks of the Kafka layer and of the stages.
        .executableTarget(name: "relay-check", dependencies: [
            "FoodbankStreaming", "FoodbankKafka", "FoodbankPostgres", "FoodbankCanonical", "FoodbankDedupe", "FoodbankNormalize",
            "FoodbankSimulator", "FoodbankTopics", "FoodbankReconcile", "FoodbankDQ", "FoodbankJSON", argumentParser, logging,
        ], path: "Sources/Tools/relay-check"),

        // MARK: Tests, mirroring the sources.

        .testTarget(name: "FoodbankEnvironmentTests", dependencies: ["FoodbankEnvironment"], path: "Tests/Platform/FoodbankEnvironmentTests"),
        .testTarget(name: "FoodbankJSONTests", dependencies: ["FoodbankJSON"], path: "Tests/Platform/FoodbankJSONTests"),
        .testTarget(name: "FoodbankKafkaTests", dependencies: ["FoodbankKafka", "CRdKafka"], path: "Tests/Platform/FoodbankKafkaTests"),
        .testTarget(name: "FoodbankPostgresTests", dependencies: ["FoodbankPostgres"], path: "Tests/Platform/FoodbankPostgresTests"),
        .testTarget(name: "FoodbankTopicsTests", dependencies: ["FoodbankTopics", "FoodbankCanonical"], path: "Tests/Platform/FoodbankTopicsTests"),
        .testTarget(name: "FoodbankStreamingTests", dependencies: ["FoodbankStreaming", "FoodbankKafka"], path: "Tests/Platform/FoodbankStreamingTests"),
        .testTarget(name: "FoodbankMetricsTests", dependencies: ["FoodbankMetrics", "FoodbankKafka", "FoodbankStreaming"],
                    path: "Tests/Platform/FoodbankMetricsTests"),

        .testTarget(name: "FoodbankCDCTests", dependencies: ["FoodbankCDC", "FoodbankCanonical", "FoodbankJSON"], path: stageTests("1-cdc", "FoodbankCDCTests")),
        .testTarget(name: "FoodbankFeedsTests", dependencies: ["FoodbankFeeds", "FoodbankSFTP"], path: stageTests("1-sftp-watcher", "FoodbankFeedsTests")),
        .testTarget(name: "FoodbankCanonicalTests", dependencies: ["FoodbankCanonical", "FoodbankJSON"], path: stageTests("2-normalize", "FoodbankCanonicalTests")),
        .testTarget(name: "FoodbankNormalizeTests", dependencies: ["FoodbankNormalize", "FoodbankCanonical", "FoodbankJSON", "FoodbankKafka", "FoodbankStreaming"],
                    path: stageTests("2-normalize", "FoodbankNormalizeTests")),
        .testTarget(name: "FoodbankDedupeTests", dependencies: ["FoodbankDedupe", "FoodbankKafka", logging], path: stageTests("3-dedupe", "FoodbankDedupeTests")),
        .testTarget(name: "FoodbankReconcileTests", dependencies: ["FoodbankReconcile", "FoodbankCanonical", "FoodbankJSON"],
                    path: stageTests("4-reconcile", "FoodbankReconcileTests")),
        .testTarget(name: "FoodbankDQTests", dependencies: ["FoodbankDQ", "FoodbankCanonical", "FoodbankJSON"], path: stageTests("5-dq", "FoodbankDQTests")),
        .testTarget(name: "FoodbankNightlyTests", dependencies: ["FoodbankNightly", "FoodbankCanonical", "FoodbankJSON"],
                    path: stageTests("6-nightly", "FoodbankNightlyTests")),

        // Random histories of the six sources written from the contract, and the stack they run on (tests only).
        .target(name: "FoodbankHistories", dependencies: ["FoodbankOracle", "FoodbankPostgres", propertyBased], path: "Tests/Support/FoodbankHistories"),
        .testTarget(name: "FoodbankOracleTests", dependencies: ["FoodbankOracle", "FoodbankFeeds", "FoodbankHistories", "FoodbankPostgres", propertyBased],
                    path: "Tests/Operations/FoodbankOracleTests"),
        .testTarget(name: "FoodbankSimulatorTests", dependencies: ["FoodbankSimulator"], path: "Tests/Tools/FoodbankSimulatorTests"),

        // Across the tree: every bad input's dead-letter reason, the deployment files, the guarantees on the real stack.
        .testTarget(name: "BadInputCatalogueTests", dependencies: [
            "FoodbankCDC", "FoodbankCanonical", "FoodbankFeeds", "FoodbankSFTP", "FoodbankJSON", "FoodbankReconcile", "FoodbankDQ", "FoodbankNightly",
        ]),
        .testTarget(name: "DeploymentTests", dependencies: [
            "FoodbankTopics", "FoodbankJSON", "FoodbankKafka", "FoodbankPostgres", "FoodbankStreaming", "FoodbankCDC", "FoodbankSFTP", "FoodbankSimulator",
            "FoodbankEnvironment",
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "FoodbankKafka", "FoodbankPostgres", "FoodbankTopics", "FoodbankStreaming", "FoodbankJSON", "FoodbankCDC",
            "FoodbankFeeds", "FoodbankSimulator", "FoodbankCanonical", "FoodbankNormalize", "FoodbankDedupe", "FoodbankDQ", "FoodbankReconcile",
            "FoodbankMetrics", "FoodbankOperations", "FoodbankNightly", "FoodbankOracle", "FoodbankHistories", propertyBased,
            "relay-check", "cdc", "sftp-watcher", "simulator", "normalize", "dedupe", "reconcile", "dq", "nightly", "foodbank-ctl",
        ]),
    ],
    swiftLanguageModes: [.v5]
)

// swift-tools-version:6.1
import PackageDescription

/// The users example: a CRUD API on SQLite through GRDB, or on PostgreSQL through PostgresNIO when
/// given a database URL, with traces and metrics over OTLP through swift-otel when asked. It has a
/// package of its own so that GRDB, PostgresNIO and swift-otel are fetched only by those who build
/// this example, not by every package that depends on Nozzle.
let package = Package(
    name: "users",
    dependencies: [
        // With Nozzle's Tracing trait, a server span per request (swift-otel exports them); with its
        // ServiceLifecycle trait, the pool and the exporters run as services of each worker.
        .package(name: "Nozzle", path: "../..", traits: ["Tracing", "ServiceLifecycle"]),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in PostgresNIO's graph; named here for TLS settings (sslmode=prefer or require).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Traces and metrics over OTLP/HTTP (not gRPC, which would build grpc-swift too), and the
        // tracing API for the queries' spans.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The welcome email's calls; already in the graph through swift-otel's OTLP/HTTP exporter.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "users",
            dependencies: [
                .product(name: "NozzleFastCGI", package: "Nozzle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["api"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "NozzleRoutes", package: "Nozzle")]
        ),
        // The parts that need no database: URLs, the circuit, deadlines.
        .testTarget(name: "usersTests", dependencies: ["users"], swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ]
)

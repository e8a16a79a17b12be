// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode is the default for this tools version.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// An example app: an executable whose `api/` folder the route plugin compiles into its route table.
func example(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["NozzleFastCGI"],
        path: "examples/\(name)",
        exclude: ["api", "README.md"],
        swiftSettings: swiftSettings,
        plugins: ["NozzleRoutes"]
    )
}

let package = Package(
    name: "Nozzle",
    products: [
        .library(name: "Nozzle", targets: ["Nozzle"]),
        .library(name: "NozzleFastCGI", targets: ["NozzleFastCGI"]),
        .library(name: "NozzleTesting", targets: ["NozzleTesting"]),
        .library(name: "NozzleHTTPTypes", targets: ["NozzleHTTPTypes"]),
        .library(name: "NozzleOpenAPI", targets: ["NozzleOpenAPI"]),
        .plugin(name: "NozzleRoutes", targets: ["NozzleRoutes"]),
        .executable(name: "hello", targets: ["hello"]),
        .executable(name: "blitz", targets: ["blitz"]),
    ],
    traits: [
        // Off unless an app asks for it (`.package(url: ..., traits: ["Tracing"])`): an app that does
        // not trace builds no tracing package.
        .trait(name: "Tracing", description: "A server span per request with swift-distributed-tracing, and trace ids on log lines"),
        // And for swift-service-lifecycle: `app.services`, run beside the host in each worker.
        .trait(name: "ServiceLifecycle", description: "Services that run beside the host in each worker process, with swift-service-lifecycle"),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CNozzleSystem"),
        // SHA-1 on the x86 SHA extensions, for entity tags; header only, no library to link.
        .systemLibrary(name: "CNozzleSHA1"),
        .systemLibrary(name: "CNozzleCompression", providers: [.apt(["zlib1g-dev", "libbrotli-dev"])]),
        .target(
            name: "Nozzle",
            dependencies: [
                "CNozzleCompression",
                "CNozzleSHA1",
                "NozzleRouteGrammar",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Tracing", package: "swift-distributed-tracing", condition: .when(traits: ["Tracing"])),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["ServiceLifecycle"])),
            ],
            swiftSettings: swiftSettings
        ),
        // Requests and responses as swift-http-types' currency types: a product of its own, so that
        // only the apps that import it build swift-http-types.
        .target(
            name: "NozzleHTTPTypes",
            dependencies: ["Nozzle", .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        // A swift-openapi-runtime ServerTransport: handlers generated from an OpenAPI document,
        // served as routes. A product of its own, for the apps that generate their handlers.
        .target(
            name: "NozzleOpenAPI",
            dependencies: [
                "Nozzle", "NozzleHTTPTypes", .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NozzleFastCGI",
            dependencies: [
                "Nozzle", "CNozzleSystem", .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["ServiceLifecycle"])),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NozzleTesting",
            dependencies: [
                "Nozzle", "NozzleFastCGI",
                .product(name: "Tracing", package: "swift-distributed-tracing", condition: .when(traits: ["Tracing"])),
            ],
            swiftSettings: swiftSettings
        ),
        // The route grammar and the HTTP methods, which the core and the route compiler share.
        .target(name: "NozzleRouteGrammar", swiftSettings: swiftSettings),
        .target(name: "NozzleRouteCompiler", dependencies: ["NozzleRouteGrammar"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "NozzleRouteGenerator",
            dependencies: ["NozzleRouteCompiler"],
            swiftSettings: swiftSettings
        ),
        .plugin(name: "NozzleRoutes", capability: .buildTool(), dependencies: ["NozzleRouteGenerator"]),
        example("hello"),
        .executableTarget(
            name: "fixture-app",
            dependencies: [
                "NozzleFastCGI",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["ServiceLifecycle"])),
            ],
            path: "Tests/FixtureApp",
            exclude: ["api"],
            swiftSettings: swiftSettings,
            plugins: ["NozzleRoutes"]
        ),
        example("blitz"),
        .executableTarget(
            name: "nozzle-micro-benchmarks",
            dependencies: ["Nozzle", "NozzleTesting"],
            path: "benchmarks/Micro",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nozzle-traced-hello",
            dependencies: ["NozzleFastCGI", "NozzleTesting"],
            path: "benchmarks/TracedHello",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NozzleTests",
            dependencies: [
                "Nozzle", "NozzleTesting", "NozzleRouteGrammar", "CNozzleCompression",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing", condition: .when(traits: ["Tracing"])),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "NozzleHTTPTypes", .product(name: "HTTPTypes", package: "swift-http-types"),
                "NozzleOpenAPI", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NozzleFastCGITests",
            dependencies: ["Nozzle", "NozzleFastCGI", "NozzleTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RouteGeneratorTests",
            dependencies: ["NozzleRouteCompiler"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["NozzleTesting", "NozzleFastCGI"],
            swiftSettings: swiftSettings
        ),
    ]
)

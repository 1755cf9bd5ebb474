// swift-tools-version: 5.4
// The libFuzzer target (scripts/fuzz.sh builds and runs it), a package of its own so that a plain
// `swift build`/`swift test` never links an executable without `main`, and so that it builds only
// the parsers, rules and reporters (no SwiftNIO).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's entry point and
// aliases `main` to it, which collides with the `main` libFuzzer brings (-sanitize=fuzzer).
import PackageDescription

let package = Package(
    name: "mailaudit-fuzz",
    dependencies: [
        .package(name: "mailaudit", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "mailaudit-fuzz",
            dependencies: [.product(name: "MailAuditLinting", package: "mailaudit")]
        ),
    ]
)

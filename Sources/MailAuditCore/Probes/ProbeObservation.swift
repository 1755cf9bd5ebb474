/// One probed endpoint as reports show it: what the probe observed and which probe rules
/// (MA801–MA806) fire on it, before any suppression.
public struct ProbeObservation: Sendable {
    public var result: ProbeResult
    public var issues: [String]

    public init(result: ProbeResult, issues: [String]) {
        self.result = result
        self.issues = issues
    }
}

import Foundation

/// A reorder window over a concurrent map: `transform` runs on every core, and `deliver` receives
/// the results on the calling thread in input order, result i as soon as results 0…i are done.
/// Workers may run at most `window` items ahead of the last delivered one, so however many items
/// there are, at most `window` results wait in memory (a slow file holds the others back, it does
/// not let them pile up).
public enum OrderedDelivery {
    public static func run<T: Sendable, R: Sendable>(
        _ items: [T], window: Int = 64, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        transform: @escaping @Sendable (T) -> R, deliver: (R) -> Void
    ) {
        guard !items.isEmpty else { return }
        let state = WindowState<R>(count: items.count, window: max(1, window))
        let group = DispatchGroup()
        for _ in 0..<max(1, min(workers, items.count)) {
            DispatchQueue.global().async(group: group) {
                while let index = state.claim() { state.finish(index, transform(items[index])) }
            }
        }
        while let result = state.nextInOrder() { deliver(result) }
        group.wait()
    }

    /// `map` on every core, the results in input order (for a run that keeps them all).
    public static func map<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) -> R) -> [R] {
        var results: [R] = []
        results.reserveCapacity(items.count)
        run(items, transform: transform) { results.append($0) }
        return results
    }
}

/// The window's shared state; the condition's lock guards every field.
private final class WindowState<R>: @unchecked Sendable {
    let count: Int
    let window: Int
    private let condition = NSCondition()
    private var claimed = 0
    private var delivered = 0
    private var ready: [Int: R] = [:]

    init(count: Int, window: Int) {
        self.count = count
        self.window = window
    }

    /// The next item to work on, waiting while the window is full; nil when none is left.
    func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while claimed < count, claimed >= delivered + window { condition.wait() }
        guard claimed < count else { return nil }
        claimed += 1
        return claimed - 1
    }

    func finish(_ index: Int, _ result: R) {
        condition.lock()
        ready[index] = result
        condition.broadcast()
        condition.unlock()
    }

    /// The next result in input order, waiting until it is done; nil after the last.
    func nextInOrder() -> R? {
        condition.lock()
        defer { condition.unlock() }
        guard delivered < count else { return nil }
        while ready[delivered] == nil { condition.wait() }
        let result = ready.removeValue(forKey: delivered)
        delivered += 1
        condition.broadcast()
        return result
    }
}

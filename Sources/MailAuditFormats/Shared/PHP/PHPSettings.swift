import MailAuditCore

/// What a PHP configuration file leaves in one array variable (`$config`, `$CONFIG`) or in its
/// constants once its statements have run in order: per top-level key, the value with its span.
/// What may or may not run (inside an `if`, a template's `{% if %}`) makes a value unknown.
/// Linear in the statements: element writes (`$config['a']['b'] = …`, `$config['plugins'][] = …`)
/// go into indexed trees built once per array, and a computed whole assignment is one mark, not a
/// pass over every key.
struct PHPSettings: Sendable {
    struct Setting: Sendable {
        var value: PHPExpr
        /// Where the key is written: `$config['smtp_host']`, the key of an array entry, a constant's name.
        var keySpan: SourceSpan
        /// Earlier assignments of the same key that this one replaced.
        var overridden: [SourceSpan] = []
    }

    /// A top-level value under construction.
    private struct Slot {
        var node: PHPTree.Node
        var keySpan: SourceSpan
        var overridden: [SourceSpan]
        /// The statement that wrote it: a later computed whole assignment makes it unknown.
        var order: Int
    }

    private var slots: [String: Slot] = [:]
    /// The last statement that assigned the whole variable a computed value (or conditionally):
    /// keys written before it are unknown.
    private var unknownBefore = -1

    var isEmpty: Bool { slots.isEmpty }
    var keys: [String] { Array(slots.keys) }

    subscript(_ key: String) -> Setting? {
        guard let slot = slots[key] else { return nil }
        var value = slot.node.expr
        if slot.order < unknownBefore { value.value = .unknown }
        return Setting(value: value, keySpan: slot.keySpan, overridden: slot.overridden)
    }

    /// The top-level keys of the array variables named `variables` (several: an application's old
    /// and new names for it, such as Roundcube's `$rcmail_config` and `$config`).
    init(array variables: Set<String>, of syntax: PHPSyntax) {
        for (order, statement) in syntax.statements.enumerated() {
            guard case .variable(let name, let path) = statement.target, variables.contains(name) else { continue }
            apply(path: path, statement, order: order)
        }
    }

    /// The constants a file defines: the first `define` of a name wins, as in PHP.
    init(constantsOf syntax: PHPSyntax) {
        for (order, statement) in syntax.statements.enumerated() {
            guard case .constant(let name) = statement.target else { continue }
            if slots[name] != nil {
                // Redefining is refused at run time; a conditional first definition leaves the value unknown.
                if slots[name]!.overridden.count < Endpoint.relatedLimit { slots[name]!.overridden.append(statement.targetSpan) }
                continue
            }
            let value = statement.conditional ? PHPExpr(.unknown, span: statement.value.span) : statement.value
            slots[name] = Slot(node: .leaf(value), keySpan: statement.targetSpan, overridden: [], order: order)
        }
    }

    private mutating func apply(path: [PHPKey?], _ statement: PHPStatement, order: Int) {
        guard let first = path.first else {
            // `$config = array(…)`: the whole variable. Unconditionally it replaces every key; conditionally
            // the keys it names become unknown. A computed whole value leaves every earlier key unknown.
            guard case .array(let entries) = statement.value.value else {
                unknownBefore = order
                return
            }
            if !statement.conditional { slots = [:] }
            for entry in entries {
                guard let key = entry.key, case .string(let name) = key else { continue }
                let value = statement.conditional ? PHPExpr(.unknown, span: entry.value.span) : entry.value
                set(name, .leaf(value), keySpan: entry.keySpan ?? entry.value.span, order: order)
            }
            return
        }
        guard case .string(let name)? = first else { return }
        var value = statement.value
        if statement.conditional { value.value = .unknown }
        if path.count == 1 {
            set(name, .leaf(value), keySpan: statement.targetSpan, order: order)
            return
        }
        // `$config['smtp_conn_options']['ssl']['verify_peer'] = false;`: one element of a nested array.
        var slot = slots[name] ?? Slot(node: .tree(PHPTree(span: statement.targetSpan)), keySpan: statement.targetSpan, overridden: [], order: order)
        if slot.order < unknownBefore { slot.node = .leaf(PHPExpr(.unknown, span: statement.targetSpan)) }
        slot.order = order
        slot.node = slot.node.writing(value, at: path.dropFirst(), keySpan: statement.targetSpan)
        slots[name] = slot
    }

    private mutating func set(_ name: String, _ node: PHPTree.Node, keySpan: SourceSpan, order: Int) {
        var overridden: [SourceSpan] = []
        if let old = slots[name] { overridden = Array((old.overridden + [old.keySpan]).suffix(Endpoint.relatedLimit)) }
        slots[name] = Slot(node: node, keySpan: keySpan, overridden: overridden, order: order)
    }
}

/// A PHP array being written element by element, with an index from key to position, so each
/// write costs the same whatever the array's size. A reference: writes happen in place.
final class PHPTree: @unchecked Sendable {
    enum Node {
        case leaf(PHPExpr)
        case tree(PHPTree)

        /// The value as read: trees turned back into array values.
        var expr: PHPExpr {
            switch self {
            case .leaf(let e): return e
            case .tree(let t): return PHPExpr(.array(t.entries.map { PHPEntry(key: $0.key, keySpan: $0.keySpan, value: $0.node.expr) }), span: t.span)
            }
        }

        /// This node with `value` written at `path` (`nil`: `[]`, append), turning a literal array
        /// into a tree the first time one of its elements is written.
        func writing(_ value: PHPExpr, at path: ArraySlice<PHPKey?>, keySpan: SourceSpan) -> Node {
            guard let key = path.first else { return .leaf(value) }
            let tree: PHPTree
            switch self {
            case .tree(let t): tree = t
            case .leaf(let e):
                switch e.value {
                case .array(let entries): tree = PHPTree(span: e.span, entries: entries)
                case .null: tree = PHPTree(span: e.span)
                // Writing into a string or a computed value: not an array we can follow.
                default: return .leaf(PHPExpr(.unknown, span: value.span))
                }
            }
            tree.write(value, at: key, rest: path.dropFirst(), keySpan: keySpan)
            return .tree(tree)
        }
    }

    struct Element {
        var key: PHPKey
        var keySpan: SourceSpan?
        var node: Node
    }

    let span: SourceSpan
    private(set) var entries: [Element] = []
    private var index: [PHPKey: Int] = [:]
    private var next = 0

    init(span: SourceSpan, entries: [PHPEntry] = []) {
        self.span = span
        for entry in entries {
            guard let key = entry.key else { continue }
            put(key, keySpan: entry.keySpan, node: .leaf(entry.value))
        }
    }

    private func put(_ key: PHPKey, keySpan: SourceSpan?, node: Node) {
        if let i = index[key] {
            entries[i].node = node
        } else {
            index[key] = entries.count
            entries.append(Element(key: key, keySpan: keySpan, node: node))
        }
        if case .int(let n) = key, n >= next { next = n &+ 1 }
    }

    func write(_ value: PHPExpr, at key: PHPKey?, rest: ArraySlice<PHPKey?>, keySpan: SourceSpan) {
        let k = key ?? .int(next)
        if let i = index[k] {
            entries[i].node = entries[i].node.writing(value, at: rest, keySpan: keySpan)
            if rest.isEmpty { entries[i].keySpan = keySpan }
        } else {
            let node = Node.tree(PHPTree(span: keySpan)).writing(value, at: rest, keySpan: keySpan)
            put(k, keySpan: keySpan, node: rest.isEmpty ? .leaf(value) : node)
        }
    }
}

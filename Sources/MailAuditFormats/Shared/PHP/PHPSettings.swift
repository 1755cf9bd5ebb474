import MailAuditCore

/// What a PHP configuration file leaves in one array variable (`$config`, `$CONFIG`) or in its
/// constants once its statements have run in order: per top-level key, the value with its span.
/// What may or may not run (inside an `if`, a function, a template's `{% if %}`) makes a value unknown.
public struct PHPSettings: Sendable {
    public struct Setting: Sendable {
        public var value: PHPExpr
        /// Where the key is written: `$config['smtp_host']`, the key of an array entry, a constant's name.
        public var keySpan: SourceSpan
        /// Earlier assignments of the same key that this one replaced.
        public var overridden: [SourceSpan] = []
    }

    public private(set) var settings: [String: Setting] = [:]

    public subscript(_ key: String) -> Setting? { settings[key] }

    /// The top-level keys of the array variables named `variables` (several: an application's old
    /// and new names for it, such as Roundcube's `$rcmail_config` and `$config`).
    public init(array variables: Set<String>, of syntax: PHPSyntax) {
        for statement in syntax.statements {
            guard case .variable(let name, let path) = statement.target, variables.contains(name) else { continue }
            apply(path: path, statement)
        }
    }

    /// The constants a file defines: the first `define` of a name wins, as in PHP.
    public init(constantsOf syntax: PHPSyntax) {
        for statement in syntax.statements {
            guard case .constant(let name) = statement.target else { continue }
            if var existing = settings[name] {
                // Redefining is refused at run time; a conditional first definition leaves the value unknown.
                existing.overridden.append(statement.targetSpan)
                settings[name] = existing
                continue
            }
            settings[name] = Setting(value: statement.conditional ? PHPExpr(.unknown, span: statement.value.span) : statement.value, keySpan: statement.targetSpan)
        }
    }

    private mutating func apply(path: [PHPKey?], _ statement: PHPStatement) {
        guard let first = path.first else {
            // `$config = array(…)`: the whole variable. Unconditionally it replaces every key; conditionally
            // the keys it names become unknown. A computed whole value leaves every key unknown.
            guard case .array(let entries) = statement.value.value else {
                for key in settings.keys { settings[key]!.value.value = .unknown }
                return
            }
            if !statement.conditional { settings = [:] }
            for entry in entries {
                guard let key = entry.key, case .string(let name) = key else { continue }
                let value = statement.conditional ? PHPExpr(.unknown, span: entry.value.span) : entry.value
                set(name, value, keySpan: entry.keySpan ?? entry.value.span)
            }
            return
        }
        guard case .string(let name)? = first else { return }
        let rest = Array(path.dropFirst())
        var value = statement.value
        if statement.conditional { value.value = .unknown }
        if rest.isEmpty {
            set(name, value, keySpan: statement.targetSpan)
            return
        }
        // `$config['smtp_conn_options']['ssl']['verify_peer'] = false;`: one element of a nested array.
        let current = settings[name]?.value ?? PHPExpr(.array([]), span: statement.targetSpan)
        var updated = current
        updated.value = Self.updating(current.value, at: rest, with: value, keySpan: statement.targetSpan)
        var setting = settings[name] ?? Setting(value: updated, keySpan: statement.targetSpan)
        setting.value = updated
        settings[name] = setting
    }

    private mutating func set(_ name: String, _ value: PHPExpr, keySpan: SourceSpan) {
        var setting = Setting(value: value, keySpan: keySpan)
        if let old = settings[name] { setting.overridden = Array((old.overridden + [old.keySpan]).suffix(Endpoint.relatedLimit)) }
        settings[name] = setting
    }

    /// `array` with the element at `path` replaced by `value` (missing levels created, as PHP does).
    static func updating(_ array: PHPValue, at path: [PHPKey?], with value: PHPExpr, keySpan: SourceSpan) -> PHPValue {
        guard let key = path.first else { return value.value }
        let entries: [PHPEntry]
        switch array {
        case .array(let e): entries = e
        case .null: entries = []
        default: return .unknown
        }
        var out = entries
        if let key, let index = out.lastIndex(where: { $0.key == key }) {
            out[index].value.value = updating(out[index].value.value, at: Array(path.dropFirst()), with: value, keySpan: keySpan)
            if path.count == 1 { out[index].value = value }
            return .array(out)
        }
        let inner = path.count == 1 ? value : PHPExpr(updating(.array([]), at: Array(path.dropFirst()), with: value, keySpan: keySpan), span: value.span)
        let next = out.compactMap { if case .int(let i)? = $0.key { return i } else { return nil } }.max().map { $0 + 1 } ?? 0
        out.append(PHPEntry(key: key ?? .int(next), keySpan: keySpan, value: inner))
        return .array(out)
    }
}

import Foundation
import MailAuditCore
@testable import MailAuditFormats
import MailAuditTestSupport
import Testing

/// PHP read as data: literal assignments, arrays, constants and concatenation; anything computed is unknown.
@Suite struct PHPSyntaxTests {
    func syntax(_ text: String) -> PHPSyntax { PHPSyntax(SourceFile(path: "t.php", text: text)) }
    func config(_ text: String, _ variable: String = "config") -> PHPSettings { PHPSettings(array: [variable], of: syntax(text)) }
    func at(_ span: SourceSpan?) -> String { span.map { "\($0.line):\($0.column)" } ?? "nil" }

    @Test func literalsAndEscapes() {
        let c = config(#"""
        <?php
        // a comment with $config['x'] = 'no';
        # another
        /* $config['x'] = 'no'; */
        $config['single'] = 'it\'s \n raw';
        $config["double"] = "tab\there \x41\u{1F600}\101 \$x";
        $config['int'] = 0x1F;
        $config['neg'] = -5;
        $config['octal'] = 017;
        $config['float'] = 1.5e3;
        $config['yes'] = TRUE;
        $config['none'] = null;
        $config['joined'] = 'ssl://' . 'mail.example.com' . ':' . 993;
        """#)
        #expect(c["single"]?.value.value == .string(#"it's \n raw"#))
        #expect(c["double"]?.value.value == .string("tab\there A\u{1F600}A $x"))
        #expect(c["int"]?.value.value == .int(31) && c["neg"]?.value.value == .int(-5) && c["octal"]?.value.value == .int(15))
        #expect(c["float"]?.value.value == .float(1500) && c["yes"]?.value.value == .bool(true) && c["none"]?.value.value == .null)
        #expect(c["joined"]?.value.value == .string("ssl://mail.example.com:993"))
        #expect(at(c["joined"]?.value.span) == "13:21" && at(c["single"]?.keySpan) == "5:1")
        #expect(c["x"] == nil)
    }

    @Test func computedValuesAreUnknown() {
        let c = config(#"""
        <?php
        $config['env'] = getenv('HOST');
        $config['default'] = getenv('HOST') ?: 'localhost';
        $config['interpolated'] = "tls://$host:587";
        $config['constant'] = LOG_MAIL;
        $config['math'] = 60 * 60;
        $config['concat'] = 'https://' . $_SERVER['HTTP_HOST'];
        $config['heredoc'] = <<<EOT
        text
        EOT;
        $config['after'] = 'still read';
        $config['appended'] .= 'x';
        """#)
        for key in ["env", "default", "interpolated", "constant", "math", "concat", "heredoc", "appended"] {
            #expect(c[key]?.value.value == .unknown, "\(key)")
        }
        #expect(c["after"]?.value.value == .string("still read"))
    }

    @Test func arraysNestedUpdatesAndChains() {
        let c = config(#"""
        <?php
        $config = array();
        $config['imap_host'] = ['a.example.com', 'ssl://b.example.com' => 'B', 5 => 'c', 'd'];
        $config['smtp_conn_options'] = $config['imap_conn_options'] = [
            'ssl' => ['verify_peer' => false, 'verify_peer_name' => false,],
        ];
        $config['imap_conn_options']['ssl']['verify_peer'] = true;
        $config['plugins'] = array('archive');
        $config['plugins'][] = 'zipdownload';
        """#)
        guard case .array(let hosts)? = c["imap_host"]?.value.value else { Issue.record("no array"); return }
        #expect(hosts.map(\.key) == [.int(0), .string("ssl://b.example.com"), .int(5), .int(6)])
        #expect(c["smtp_conn_options"]?.value.value["ssl"]?.value["verify_peer"]?.value == .bool(false))
        #expect(c["imap_conn_options"]?.value.value["ssl"]?.value["verify_peer"]?.value == .bool(true))
        #expect(c["imap_conn_options"]?.value.value["ssl"]?.value["verify_peer_name"]?.value == .bool(false))
        #expect(at(c["imap_conn_options"]?.value.value["ssl"]?.value["verify_peer"]?.span) == "7:54")
        guard case .array(let plugins)? = c["plugins"]?.value.value else { Issue.record("no plugins"); return }
        #expect(plugins.map(\.value.value) == [.string("archive"), .string("zipdownload")])
    }

    @Test func conditionalCodeMakesValuesUnknown() {
        let c = config(#"""
        <?php
        $config['a'] = 'kept';
        if (getenv('X')) $config['a'] = 'maybe';
        $config['b'] = 'kept';
        if (getenv('Y')) {
            $config['c'] = 'maybe';
        } else {
            $config['d'] = 'maybe';
        }
        $config['e'] = 'kept';
        foreach ($list as $x):
            $config['f'] = 'maybe';
        endforeach;
        function f() { $config = ['g' => 'never']; }
        $config['h'] = 'kept';
        {% if TLS %}
        $config['i'] = 'template';
        {% endif %}
        $config['j'] = 'kept';
        """#)
        #expect(c["a"]?.value.value == .unknown)
        for key in ["b", "e", "h", "j"] { #expect(c[key]?.value.value == .string("kept"), "\(key)") }
        for key in ["c", "d", "f", "i"] { #expect(c[key]?.value.value == .unknown, "\(key)") }
        #expect(c["g"] == nil)
    }

    @Test func constantsFirstDefinitionWins() {
        let c = PHPSettings(constantsOf: syntax(#"""
        <?php
        define('WPMS_ON', true);
        define( "WPMS_SMTP_HOST", 'smtp.' . 'example.com' );
        define('WPMS_SMTP_HOST', 'other');
        const WPMS_SMTP_PORT = 587;
        if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
        """#))
        #expect(c["WPMS_ON"]?.value.value == .bool(true))
        #expect(c["WPMS_SMTP_HOST"]?.value.value == .string("smtp.example.com") && c["WPMS_SMTP_HOST"]?.overridden.count == 1)
        #expect(c["WPMS_SMTP_PORT"]?.value.value == .int(587))
        #expect(c["ABSPATH"]?.value.value == .unknown)
    }

    @Test func textOutsidePHPTagsIsNotCode() {
        let c = PHPSettings(constantsOf: syntax("define('A', 1);\n<?php define('B', 2); ?>\ndefine('C', 3);\n<?php define('D', 4);"))
        #expect(c["A"] == nil && c["C"] == nil)
        #expect(c["B"]?.value.value == .int(2) && c["D"]?.value.value == .int(4))
    }

    @Test func truncatedInputNeverFails() {
        let text = #"<?php $config['a'] = ['x' => "y\", 'z' => array(1, 2"#
        for n in 0...text.unicodeScalars.count {
            let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(n)))
            _ = config(prefix)
        }
        #expect(!syntax("<?php $config['a'] = 'open").diagnostics.isEmpty)
        #expect(!syntax("<?php /* open").diagnostics.isEmpty)
        #expect(config("<?php $config[").isEmpty)
    }
}

/// Linear in the input: the shapes that would be quadratic with a naive fold (element writes into
/// one growing array, many keys, computed whole assignments between them) and deep nesting.
@Suite(.serialized) struct PHPComplexityTests {
    func cpu(_ text: String) -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            var now = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            let start = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
            _ = TestSupport.parse(text, format: "roundcube")
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            best = min(best, Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 - start)
        }
        return best
    }

    func expectLinear(_ make: (Int) -> String, n: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        _ = cpu(make(n))
        let ratio = cpu(make(4 * n)) / cpu(make(n))
        #expect(ratio < 8, "×\(ratio)", sourceLocation: sourceLocation)
    }

    @Test func elementWritesIntoOneArray() {
        expectLinear({ n in "<?php\n" + (0..<n).map { "$config['plugins'][] = 'p\($0)';\n$config['smtp_conn_options']['h\($0)']['ssl']['verify_peer'] = false;\n" }.joined() }, n: 1500)
    }

    @Test func computedWholeAssignmentsBetweenKeys() {
        expectLinear({ n in "<?php\n" + (0..<n).map { "$config['k\($0)'] = 'v';\nif ($x) $config = f();\n" }.joined() }, n: 1500)
    }

    @Test func deepNestingIsReadOver() {
        let text = "<?php\n$config['imap_host'] = " + String(repeating: "[", count: 20000) + String(repeating: "]", count: 20000) + ";\n$config['smtp_host'] = 'ssl://s';\n"
        let setup = TestSupport.parse(text, format: "roundcube")
        #expect(setup.endpoints.first { $0.protocol == .smtp }?.tls == .implicit)
    }
}

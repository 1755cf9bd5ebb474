import Foundation

/// Binary inputs that look like configuration files but cannot be read as text, named so that the
/// MA000 says what the file is and how to get a readable one (instead of "invalid UTF-8").
enum BinaryInputKind {
    /// A sentence about `data`, or nil when it is nothing mailaudit recognizes.
    static func describe(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: Array("bplist".utf8)) {
            return "this is a binary property list (bplist), which mailaudit cannot read; convert it to an XML property list first (`plutil -convert xml1 FILE` on macOS, or Python: `plistlib.dumps(plistlib.load(f))`) and lint that"
        }
        // DER/BER: a SEQUENCE (0x30) with an indefinite (0x80) or long-form (0x81–0x84) length.
        if bytes.count >= 2, bytes[0] == 0x30, (0x80...0x84).contains(bytes[1]) {
            let head = data.prefix(1_048_576)
            if head.range(of: Data("<plist".utf8)) != nil || head.range(of: Data("PayloadContent".utf8)) != nil {
                return "this is a signed configuration profile (an XML property list wrapped in CMS/PKCS#7 DER), which mailaudit cannot read as it is; extract the profile first (`openssl smime -verify -noverify -inform DER -in FILE -out profile.mobileconfig`, or `security cms -D -i FILE` on macOS) and lint the result"
            }
            return "this is DER-encoded binary data (ASN.1/CMS, such as a certificate or a signed file), not a text configuration file"
        }
        return nil
    }
}

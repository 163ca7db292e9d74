/// Renders a template file as Ansible's `template` module does: Jinja drops one trailing newline of the
/// text (`keep_trailing_newline` off), and Ansible then tops the result's trailing newlines up to as many
/// as the file had — so `…{% endif %}\n\n` ends in two newlines, and a file ending in one keeps one.
/// `ansible_managed` is defined (`Ansible managed`, or ansible.cfg's `ansible_managed`) unless a
/// variable of that name exists.
public enum TemplateFile {
    public static func render(_ text: String, file: String, context: TemplateContext, managed: String = "Ansible managed") throws -> String {
        var context = context
        if context.variables["ansible_managed"] == nil { context.set("ansible_managed", .string(managed), as: .data) }
        let bytes = Array(text.utf8)
        let dropped = bytes.last == UInt8(ascii: "\n") ? (bytes.dropLast().last == UInt8(ascii: "\r") ? 2 : 1) : 0
        let source = String(decoding: bytes.dropLast(dropped), as: UTF8.self)
        var rendered = try Template(source, file: file).render(context)
        let wanted = trailingNewlines(text)
        let present = trailingNewlines(rendered)
        if wanted > present { rendered += String(repeating: "\n", count: wanted - present) }
        return rendered
    }

    private static func trailingNewlines(_ text: String) -> Int {
        text.utf8.reversed().prefix { $0 == UInt8(ascii: "\n") }.count
    }
}

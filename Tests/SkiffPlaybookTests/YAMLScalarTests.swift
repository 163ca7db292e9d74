import OrderedCollections
import SkiffCore
import SkiffYAML
import Testing

/// Plain scalars are typed as YAML 1.1 types them (as Ansible reads playbooks), quoted ones stay strings.
@Suite("YAML scalars")
struct YAMLScalarTests {
    private func values(_ text: String) throws -> OrderedDictionary<String, Value> {
        guard let root = try YAMLValue.compose(text, file: "vars.yml"), case .dict(let dict) = try YAMLValue.value(of: root, file: "vars.yml")
        else { return [:] }
        return dict
    }

    @Test func plainScalarsAreTypedAsYAML11() throws {
        let read = try values("a: yes\nb: 'no'\nc: 0x1F\nd: 017\ne: 1:30\nf: ~\ng: 1_000\nh: .inf\ni: \"1\"\nj: 2.5\nk: Off\n")
        #expect(read["a"] == .bool(true))
        #expect(read["b"] == .string("no"))
        #expect(read["c"] == .int(31))
        #expect(read["d"] == .int(15))
        #expect(read["e"] == .int(90))
        #expect(read["f"] == .null)
        #expect(read["g"] == .int(1000))
        #expect(read["h"] == .double(.infinity))
        #expect(read["i"] == .string("1"))
        #expect(read["j"] == .double(2.5))
        #expect(read["k"] == .bool(false))
    }

    /// A base-60 number past the integer range is read as a float instead of stopping Skiff.
    @Test func aBase60NumberTooLargeForAnIntegerIsAFloat() throws {
        let read = try values("x: 1:2:3:4:5:6:7:8:9:10:11:12\n")
        guard case .double(let number)? = read["x"] else {
            Issue.record("expected a float, got \(String(describing: read["x"]))")
            return
        }
        #expect(number > 3.7e19 && number < 3.8e19)
    }

    /// `1` (an integer) and `'1'` (a string) are different YAML keys, so no error (the later one is kept as
    /// the variable `1`); `a` twice is refused at its first place.
    @Test func keysAreComparedWithTheirTypes() throws {
        #expect(try values("1: a\n'1': b\n")["1"] == .string("b"))
        #expect {
            try values("b: 1\na: 2\na: 3\n")
        } throws: { error in
            (error as? YAMLError)?.description == "vars.yml:2:1: invalid YAML: 'a' written more than once in one mapping (first here)"
        }
    }
}

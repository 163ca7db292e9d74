import OrderedCollections
import SkiffCore
import SkiffTemplate
import Testing

@Suite("Jinja2 expressions")
struct ExpressionTests {
    static let context = TemplateContext(
        variables: [
            "version": .string("1.0.1"),
            "port": .int(8080),
            "hosts": .list([.string("web1"), .string("web2")]),
            "result": .dict(["rc": .int(0), "stdout": .string("ok\n"), "failed": .bool(false), "changed": .bool(true)]),
            "groups": .dict(["web": .list([.string("web1"), .string("web2")])]),
            "item": .dict(["name": .string("app"), "replicas": .int(3)]),
            "empty": .string(""),
            "nothing": .null,
            "secret": .string("s3cr3t"),
        ],
        environment: { $0 == "BUILD_NUMBER" ? "42" : nil },
        searchPaths: ["/nonexistent"])

    func value(_ text: String) throws -> Value {
        try Template(text).evaluate(Self.context)
    }

    func render(_ text: String) throws -> String {
        try Template(text).render(Self.context)
    }

    @Test func interpolationRendersAndASingleExpressionKeepsItsType() throws {
        #expect(try render("app:{{ version }}") == "app:1.0.1")
        #expect(try value("{{ hosts }}") == .list([.string("web1"), .string("web2")]))
        #expect(try value("{{ port }}") == .int(8080))
        #expect(try value("{{ port > 80 }}") == .bool(true))
        #expect(try render("{{ hosts }}") == "['web1', 'web2']")
        #expect(try render("{{ nothing }}") == "")
        #expect(try render("plain text") == "plain text")
    }

    @Test func accessArithmeticComparisonsAndLogic() throws {
        #expect(try value("{{ result.rc }}") == .int(0))
        #expect(try value("{{ item['name'] }}") == .string("app"))
        #expect(try value("{{ groups['web'][0] }}") == .string("web1"))
        #expect(try value("{{ hosts[-1] }}") == .string("web2"))
        #expect(try value("{{ port + 1 }}") == .int(8081))
        #expect(try value("{{ item.replicas * 2 - 1 }}") == .int(5))
        #expect(try value("{{ 7 // 2 }}") == .int(3))
        #expect(try value("{{ 7 / 2 }}") == .double(3.5))
        #expect(try value("{{ 2 ** 10 }}") == .int(1024))
        #expect(try value("{{ 'web1' in hosts and not (port < 80) }}") == .bool(true))
        #expect(try value("{{ 'x' not in hosts }}") == .bool(true))
        #expect(try value("{{ 'v' ~ version ~ '-' ~ port }}") == .string("v1.0.1-8080"))
        #expect(try value("{{ 'yes' if port == 8080 else 'no' }}") == .string("yes"))
        #expect(try value("{{ [1, 2] + [3] }}") == .list([.int(1), .int(2), .int(3)]))
        #expect(try value("{{ {'a': 1}['a'] }}") == .int(1))
        #expect(try value("{{ True and none is none }}") == .bool(true))
    }

    @Test func filters() throws {
        #expect(try value("{{ undefined_thing | default('fallback') }}") == .string("fallback"))
        #expect(try value("{{ empty | d('x', true) }}") == .string("x"))
        #expect(try value("{{ empty | default('x') }}") == .string(""))
        #expect(try render("{{ 'a b; rm -rf /' | quote }}") == "'a b; rm -rf /'")
        #expect(try value("{{ ' Hi ' | trim | lower }}") == .string("hi"))
        #expect(try value("{{ version | replace('.', '-') }}") == .string("1-0-1"))
        #expect(try value("{{ '42' | int + 1 }}") == .int(43))
        #expect(try value("{{ 'yes' | bool }}") == .bool(true))
        #expect(try value("{{ hosts | length }}") == .int(2))
        #expect(try value("{{ hosts | join(',') }}") == .string("web1,web2"))
        #expect(try value("{{ hosts | first }}") == .string("web1"))
        #expect(try value("{{ version.split('.') | last }}") == .string("1"))
        #expect(try value("{{ version | split('.') }}") == .list([.string("1"), .string("0"), .string("1")]))
        #expect(try value("{{ 'web-01' | regex_replace('^web-(\\\\d+)$', 'app-\\\\1') }}") == .string("app-01"))
        #expect(try value("{{ 'release-2.3.4' | regex_search('[0-9.]+') }}") == .string("2.3.4"))
        #expect(try value("{{ 'hello' | b64encode }}") == .string("aGVsbG8="))
        #expect(try value("{{ 'aGVsbG8=' | b64decode }}") == .string("hello"))
        #expect(try value("{{ item | to_json }}") == .string(#"{"name": "app", "replicas": 3}"#))
        #expect(try value("{{ '{\"a\": [1, true]}' | from_json }}") == .dict(["a": .list([.int(1), .bool(true)])]))
        #expect(try value("{{ '/srv/app/docker-compose.yml' | basename }}") == .string("docker-compose.yml"))
        #expect(try value("{{ '/srv/app/docker-compose.yml' | dirname }}") == .string("/srv/app"))
        #expect(try value("{{ {'a': 1} | combine({'b': 2}) }}") == .dict(["a": .int(1), "b": .int(2)]))
        #expect(try value("{{ {'a': 1} | dict2items }}") == .list([.dict(["key": .string("a"), "value": .int(1)])]))
        #expect(try value("{{ [{'key': 'a', 'value': 1}] | items2dict }}") == .dict(["a": .int(1)]))
        #expect(try value("{{ item | to_yaml }}") == .string("{name: app, replicas: 3}\n"))
        #expect(try value("{{ [3, 1, 2] | sort }}") == .list([.int(1), .int(2), .int(3)]))
        #expect(try value("{{ hosts | map('upper') | list }}") == .list([.string("WEB1"), .string("WEB2")]))
    }

    /// ansible-core 2.19.14: `(1 > 2) | ternary('yes', 'no')` gave "no"; a none value takes the third.
    @Test func ternaryChoosesAsAnsible() throws {
        #expect(try value("{{ (1 > 2) | ternary('yes', 'no') }}") == .string("no"))
        #expect(try value("{{ port | ternary('set', 'unset') }}") == .string("set"))
        #expect(try value("{{ nothing | ternary('yes', 'no', 'none') }}") == .string("none"))
        #expect(try value("{{ nothing | ternary('yes', 'no') }}") == .string("no"))
    }

    /// What ansible-core 2.19.14's to_yaml wrote for these values (PyYAML: sorted keys, flow style for
    /// collections of scalars, quotes only where YAML would read something else).
    @Test func toYAMLWritesWhatAnsibleWrites() throws {
        #expect(try value(#"{{ {'b': 2, 'a': 1, 'c': 'x y', 'd': 'yes', 'e': 'a: b', 'f': ' lead', 'g': '1.5', 'h': '-x', 'i': "it's"} | to_yaml }}"#)
                == .string("{a: 1, b: 2, c: x y, d: 'yes', e: 'a: b', f: ' lead', g: '1.5', h: -x, i: it's}\n"))
        #expect(try value("{{ [3, 'two words', '#no'] | to_yaml }}") == .string("[3, two words, '#no']\n"))
        #expect(try value("{{ {'z': [1, 2], 'y': 'ok'} | to_yaml }}") == .string("y: ok\nz: [1, 2]\n"))
        #expect(try value("{{ {'a': {'d': [1, 'x y'], 'c': true} } | to_nice_yaml }}") == .string("a:\n    c: true\n    d:\n    - 1\n    - x y\n"))
    }

    @Test func tests() throws {
        #expect(try value("{{ version is defined }}") == .bool(true))
        #expect(try value("{{ missing is undefined }}") == .bool(true))
        #expect(try value("{{ missing is not defined }}") == .bool(true))
        #expect(try value("{{ nothing is none }}") == .bool(true))
        #expect(try value("{{ result is succeeded }}") == .bool(true))
        #expect(try value("{{ result is failed }}") == .bool(false))
        #expect(try value("{{ result is changed }}") == .bool(true))
        #expect(try value("{{ result is skipped }}") == .bool(false))
        #expect(try value("{{ version is match('^1\\\\.') }}") == .bool(true))
        #expect(try value("{{ version is search('0\\\\.1$') }}") == .bool(true))
        #expect(try value("{{ version is string and port is number }}") == .bool(true))
        #expect(try value("{{ item is mapping and hosts is sequence }}") == .bool(true))
        #expect(try value("{{ 'web1' is in hosts }}") == .bool(true))
    }

    @Test func lookups() throws {
        #expect(try value("{{ lookup('env', 'BUILD_NUMBER') }}") == .string("42"))
        #expect(try value("{{ lookup('env', 'UNSET_VARIABLE') }}") == .string(""))
        #expect(try value("{{ lookup('vars', 'version') }}") == .string("1.0.1"))
        #expect(try value("{{ query('env', 'BUILD_NUMBER') }}") == .list([.string("42")]))
        #expect(try value("{{ range(3) | list }}") == .list([.int(0), .int(1), .int(2)]))
    }

    @Test func undefinedVariablesAreErrorsNamingTheVariableAndTheLocation() throws {
        let location = SourceLocation(file: "deploy.yml", line: 12, column: 15)
        do {
            _ = try Template("app:{{ VERSION }}", location: location).render(Self.context)
            Issue.record("an undefined variable rendered")
        } catch let error as TemplateError {
            #expect(error.message.contains("'VERSION' is undefined"))
            #expect(error.location?.file == "deploy.yml")
            #expect(error.location?.line == 12)
        }
        #expect(throws: TemplateError.self) { try Template("{{ result.nope }}").render(Self.context) }
        #expect(throws: TemplateError.self) { try Template("{{ missing | mandatory }}").render(Self.context) }
    }

    @Test func aTemplateParsedOnceReportsErrorsWhereEachUseIs() throws {
        // The same text in two tasks: parsed once per location, each error names its own line.
        for line in [12, 40, 12] {
            let location = SourceLocation(file: "deploy.yml", line: line, column: 15)
            do {
                _ = try Template.parsed("app:{{ VERSION_\(#line) }}", location: location).render(Self.context)
                Issue.record("an undefined variable rendered")
            } catch let error as TemplateError {
                #expect(error.location?.line == line)
            }
        }
        let first = try Template.parsed("{{ version }}-{{ port }}")
        #expect(try first.render(Self.context) == "1.0.1-8080")
        #expect(throws: TemplateError.self) { try Template.parsed("{{ x | no_such_filter }}") }
        #expect(throws: TemplateError.self, "a parse error is reported every time") { try Template.parsed("{{ x | no_such_filter }}") }
    }

    @Test func unknownFiltersAndTestsAreFoundWhenParsing() {
        #expect(throws: TemplateError.self) { try Template("{{ x | no_such_filter }}") }
        #expect(throws: TemplateError.self) { try Template("{{ x is no_such_test }}") }
        do {
            _ = try Template("{{ version | frobnicate }}")
        } catch let error as TemplateError {
            #expect(error.message.contains("frobnicate"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func conditionsAreBareExpressions() throws {
        #expect(try Condition("result.rc == 0").evaluate(Self.context))
        #expect(try Condition("port > 9000 or 'web1' in groups['web']").evaluate(Self.context))
        #expect(try !Condition("empty").evaluate(Self.context))
        #expect(try Condition("{{ version is defined }}").evaluate(Self.context))
        #expect(throws: TemplateError.self) { try Condition("undefined_var == 1").evaluate(Self.context) }
    }
}

@Suite("variables are templated when used")
struct LazyVariableTests {
    @Test func variablesReferringToVariablesResolveRecursively() throws {
        let context = TemplateContext(variables: [
            "registry": .string("registry.example.com"),
            "image": .string("{{ registry }}/app"),
            "ref": .string("{{ image }}:{{ version }}"),
            "version": .string("1.0.1"),
            "images": .list([.string("{{ image }}"), .string("db")]),
            "loop_a": .string("{{ loop_b }}"),
            "loop_b": .string("{{ loop_a }}"),
        ])
        #expect(try Template("{{ ref }}").render(context) == "registry.example.com/app:1.0.1")
        #expect(try Template("{{ images }}").evaluate(context) == .list([.string("registry.example.com/app"), .string("db")]))
        do {
            _ = try Template("{{ loop_a }}").render(context)
            Issue.record("a self-referencing variable rendered")
        } catch let error as TemplateError {
            #expect(error.message.contains("recursive loop"))
        }
    }
}

"""Every code example of the wasmer-python 1.1 API reference, verbatim.

Extracted from the reference text (`wasmer-python-1.1-api.txt`; key = the
line the example starts on). `test_reference.py` runs each one with only the
import name changed from `wasmer` to `wasmint`.
"""

EXAMPLES = {
    19: """\
from wasmer import Store, Module, Instance

# Create a store, which holds the engine, the compiler etc.
store = Store()

# Let's assume we don't have WebAssembly bytes at hand. We will
# write WebAssembly manually.
module = Module(
    store,
    \"\"\"
    (module
      (type (func (param i32 i32) (result i32)))
      (func (type 0)
        local.get 0
        local.get 1
        i32.add)
      (export "sum" (func 0)))
    \"\"\"
)

# Instantiates the module.
instance = Instance(module)

# Now, let's execute the `sum` function.
assert instance.exports.sum(1, 2) == 3
""",
    62: """\
from wasmer import wat2wasm

assert wat2wasm('(module)') == b'\\x00asm\\x01\\x00\\x00\\x00'
""",
    71: """\
from wasmer import wasm2wat

assert wasm2wat(b'\\x00asm\\x01\\x00\\x00\\x00') == '(module)'
""",
    84: """\
from wasmer import Store, Module, Instance, Exports, Function, Global, Table, Memory

module = Module(
    Store(),
    \"\"\"
    (module
      (func (export "func") (param i32 i64))
      (global (export "glob") i32 (i32.const 7))
      (table (export "tab") 0 funcref)
      (memory (export "mem") 1))
    \"\"\"
)
instance = Instance(module)
exports = instance.exports

assert isinstance(exports, Exports)
assert isinstance(exports.func, Function)
assert isinstance(exports.glob, Global)
assert isinstance(exports.tab, Table)
assert isinstance(exports.mem, Memory)
""",
    111: """\
from wasmer import Store, Module, Instance, Exports, Function, Global, Table, Memory

module = Module(
    Store(),
    \"\"\"
    (module
      (func (export "func") (param i32 i64))
      (global (export "glob") i32 (i32.const 7))
      (table (export "tab") 0 funcref)
      (memory (export "mem") 1))
    \"\"\"
)
instance = Instance(module)

assert [name for (name, export) in instance.exports] == ["func", "glob", "tab", "mem"]
""",
    147: """\
from wasmer import Store, Function, Type

def sum(x: int, y: int) -> int:
    return x + y

store = Store()
function = Function(store, sum)
function_type = function.type

assert function_type.params == [Type.I32, Type.I32]
assert function_type.results == [Type.I32]
""",
    170: """\
from wasmer import Store, Function, Type

def swap(x: 'i32', y: 'i64') -> ('i64', 'i32'):
    return (y, x)

store = Store()
function = Function(store, swap)
function_type = function.type

assert function_type.params == [Type.I32, Type.I64]
assert function_type.results == [Type.I64, Type.I32]
""",
    186: """\
from wasmer import Store, Function, FunctionType, Type

def sum(x, y):
    return x + y

store = Store()
function = Function(store, sum, FunctionType([Type.I32, Type.I32], [Type.I32]))
""",
    200: """\
from wasmer import Store, Module, Instance, FunctionType, Type

module = Module(
    Store(),
    \"\"\"
    (module
      (type (func (param i32 i32) (result i32)))
      (func (type 0)
        local.get 0
        local.get 1
        i32.add)
      (export "sum" (func 0)))
    \"\"\"
)
instance = Instance(module)
sum = instance.exports.sum
sum_type = sum.type

assert isinstance(sum_type, FunctionType)
assert sum_type.params == [Type.I32, Type.I32]
assert sum_type.results == [Type.I32]
""",
    231: """\
from wasmer import Store, Global, Value, Type

store = Store()

# Let's create an immutable global.
global_ = Global(store, Value.i32(42))
global_type = global_.type

assert global_.value == 42
assert global_type.type == Type.I32
assert global_type.mutable == False

# Let's create an mutable global.
global_ = Global(store, Value.i32(42), mutable=True)

assert global_.mutable == True
""",
    254: """\
from wasmer import Store, Global, Value, Type

store = Store()

global_ = Global(store, Value.i32(42), mutable=False)
global_type = global_.type

assert global_type.type == Type.I32
assert global_type.mutable == False
""",
    269: """\
from wasmer import Store, Global, Value

store = Store()
global_ = Global(store, Value.i32(42), mutable=True)

assert global_.value == 42

global_.value = 153

assert global_.value == 153
""",
    285: """\
from wasmer import Store, Global, Value

store = Store()
global_ = Global(store, Value.i32(42), mutable=True)

assert global_.mutable == True
""",
    307: """\
from wasmer import Store, Memory, MemoryType

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert memory.size == 3
""",
    317: """\
from wasmer import Store, Module, Instance, Memory

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)

memory = instance.exports.memory

assert isinstance(memory, Memory)
""",
    332: """\
from wasmer import Store, Memory, MemoryType

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert memory.size == 3

memory.grow(2)

assert memory.size == 5
""",
    349: """\
from wasmer import Store, Memory, MemoryType, Uint8Array

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert isinstance(memory.uint8_view(offset=42), Uint8Array)
""",
    398: """\
from wasmer import Store, Memory, Module, Instance

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
memory = instance.exports.memory
memory_type = memory.type

assert memory_type.minimum == 17
assert memory_type.maximum == None
assert memory_type.shared == False
""",
    414: """\
from wasmer import Store, Memory, MemoryType

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert memory.data_size == 196608
""",
    427: """\
from wasmer import Store, Memory, MemoryType

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert memory.size == 3
""",
    440: """\
from wasmer import Store, Memory, MemoryType, Buffer

store = Store()
memory_type = MemoryType(minimum=3)
memory = Memory(store, memory_type)

assert isinstance(memory.buffer, Buffer)
""",
    464: """\
from wasmer import Store, Module, Instance, Table, Type

module = Module(Store(), '(module (table (export "table") 2 funcref))')
instance = Instance(module)
table = instance.exports.table
table_type = table.type

assert table_type.type == Type.FUNC_REF
assert table_type.minimum == 2
assert table_type.maximum == None
""",
    480: """\
from wasmer import Store, Module, Instance, Table

module = Module(Store(), '(module (table (export "table") 2 funcref))')
instance = Instance(module)
table = instance.exports.table

assert table.size == 2
""",
    495: """\
from wasmer import Store, Function

def sum(x: int, y: int) -> int:
    return x + y

store = Store()
import_object = {}
import_object["math"] = {
    "sum": Function(store, sum)
}
""",
    510: """\
from wasmer import Store, Module, Instance, ImportObject, Function
def sum(x: int, y: int) -> int:
    return x + y

store = Store()
module = Module(
    store,
    \"\"\"
    (module
      (import "math" "sum" (func $sum (param i32 i32) (result i32)))
      (func (export "add_one") (param i32) (result i32)
        local.get 0
        i32.const 1
        call $sum))
    \"\"\"
)

import_object = ImportObject()
import_object.register(
    "math",
    {
        "sum": Function(store, sum)
    }
)

instance = Instance(module, import_object)

assert instance.exports.add_one(1) == 2
""",
    541: """\
from wasmer import Store, Module, Instance, Memory, MemoryType, ImportObject

store = Store()
module = Module(
    store,
    \"\"\"
    (module
      (import "env" "memory" (memory $memory 1))
      (func (export "increment")
        i32.const 0
        i32.const 0
        i32.load    ;; load 0
        i32.const 1
        i32.add     ;; add 1
        i32.store   ;; store at 0
        ))
    \"\"\"
)

memory = Memory(store, MemoryType(minimum=1))
view = memory.uint8_view(offset=0)

import_object = ImportObject()
import_object.register(
    "env",
    {
        "memory": memory
    }
)

instance = Instance(module, import_object)

assert view[0] == 0
instance.exports.increment()
assert view[0] == 1
instance.exports.increment()
assert view[0] == 2
""",
    581: """\
from wasmer import Store, Module, Instance, ImportObject, Global, Value

store = Store()
module = Module(
    store,
    \"\"\"
    (module
      (import "env" "global" (global $global (mut i32)))
      (func (export "read_g") (result i32)
        global.get $global)
      (func (export "write_g") (param i32)
        local.get 0
        global.set $global))
    \"\"\"
)

global_ = Global(store, Value.i32(7), mutable=True)

import_object = ImportObject()
import_object.register(
    "env",
    {
        "global": global_
    }
)

instance = Instance(module, import_object)

assert instance.exports.read_g() == 7
global_.value = 153
assert instance.exports.read_g() == 153
instance.exports.write_g(11)
assert global_.value == 11
""",
    624: """\
from wasmer import ImportObject

import_object = ImportObject()

assert import_object.contains_namespace("foo") == False
""",
    639: """\
from wasmer import Store, ImportObject, Function, Memory, MemoryType

store = Store()

def sum(x: int, y: int) -> int:
    return x + y

import_object = ImportObject()
import_object.register(
    "env",
    {
        "sum": Function(store, sum),
        "memory": Memory(store, MemoryType(minimum=1))
    }
)
""",
    666: """\
from wasmer import Store, Module, Instance

module = Module(
    Store(),
    \"\"\"
    (module
      (type (func (param i32 i32) (result i32)))
      (func (type 0)
        local.get 0
        local.get 1
        i32.add)
      (export "sum" (func 0)))
    \"\"\"
)
instance = Instance(module)

assert instance.exports.sum(1, 2) == 3
""",
    686: """\
from wasmer import Store, Module, Instance, Function
from collections import defaultdict

# Let's define the `sum` function!
def sum(x: int, y: int) -> int:
    return x + y

# Let's build a store, as usual.
store = Store()

# Let's compile the WebAssembly module.
module = Module(
    store,
    \"\"\"
    (module
      (import "math" "sum" (func $sum (param i32 i32) (result i32)))
      (func (export "add_one") (param i32) (result i32)
        local.get 0
        i32.const 1
        call $sum))
    \"\"\"
)

# Now, let's create an import object, and register the `sum`
# function.
import_object = defaultdict(dict)
import_object["math"]["sum"] = Function(store, sum)

# Here we go, let's instantiate the module with the import object!
instance = Instance(module, import_object)

# Let's test it!
assert instance.exports.add_one(41) == 42
""",
    738: """\
from wasmer import Memory, MemoryType, Store

store = Store()
memory = Memory(store, MemoryType(minimum=128))

# Let's write data with a `Int8Array` view for example.
int8 = memory.int8_view()
int8[0] = 1
int8[1] = 2
int8[2] = 3
int8[3] = 0x57
int8[4] = 0x61
int8[5] = 0x73
int8[6] = 0x6d
int8[7] = 0x65
int8[8] = 0x72

# Let's read data with a `Buffer` for example.
byte_array = bytearray(memory.buffer)

assert byte_array[0:3] == b'\\x01\\x02\\x03'
assert byte_array[3:9].decode() == 'Wasmer'
""",
    773: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    806: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    839: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    872: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    905: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    938: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    971: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    1004: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    1037: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    1070: """\
from wasmer import Store, Module, Instance, Uint8Array

module = Module(Store(), open('tests/tests.wasm', 'rb').read())
instance = Instance(module)
exports = instance.exports

pointer = exports.string()
memory = exports.memory.uint8_view(offset=pointer)
nth = 0
string = ''

while (0 != memory[nth]):
    string += chr(memory[nth])
    nth += 1

assert string == 'Hello, World!'
""",
    1105: """\
from wasmer import Store, Module

store = Store()

# Let's compile WebAssembly from bytes.
module = Module(store, open('tests/tests.wasm', 'rb').read())

# Let's compile WebAssembly from WAT.
module = Module(store, '(module)')
""",
    1123: """\
from wasmer import Store, Module

assert Module.validate(Store(), wasm_bytes)
""",
    1138: """\
from wasmer import Store, Module

module = Module(Store(), open('tests/custom_sections.wasm', 'rb').read())

assert module.custom_sections('easter_egg') == [b'Wasmer']
assert module.custom_sections('hello') == [b'World!']
assert module.custom_sections('foo') == []
""",
    1151: """\
from wasmer import Store, Module

store = Store()
module = Module(Store(), '(module)')
serialized_module = module.serialize()

assert type(serialized_module) == bytes
""",
    1175: """\
from wasmer import Store, Module

store = Store()
module = Module(
    store,
    \"\"\"
    (module
      (func (export "function") (param i32 i64)))
    \"\"\"
)
serialized_module = module.serialize()

del module

module = Module.deserialize(store, serialized_module)

del serialized_module

assert isinstance(module, Module)
""",
    1224: """\
from wasmer import Store, Module

store = Store()

# Module with an existing name.
assert Module(store, '(module $moduleName)').name == 'moduleName'

# Module with no name.
assert Module(store, '(module)').name == None

# Change the module's name.
module = Module(store, '(module $moduleName)')
module.name = 'hello'
assert module.name == 'hello'
""",
    1252: """\
from wasmer import engine, Store

store = Store(engine.Universal())
""",
    1258: """\
from wasmer import engine, Store
from wasmer_compiler_llvm import Compiler

store = Store(engine.Universal(Compiler))
""",
    1274: """\
from wasmer import Store, Module, ExportType, FunctionType, GlobalType, TableType, MemoryType, Type

module = Module(
    Store(),
    \"\"\"
    (module
      (func (export "function") (param i32 i64))
      (global (export "global") i32 (i32.const 7))
      (table (export "table") 0 funcref)
      (memory (export "memory") 1))
    \"\"\"
)

exports = module.exports

assert isinstance(exports[0], ExportType)

assert exports[0].name == "function"
assert isinstance(exports[0].type, FunctionType)
assert exports[0].type.params == [Type.I32, Type.I64]
assert exports[0].type.results == []

assert exports[1].name == "global"
assert isinstance(exports[1].type, GlobalType)
assert exports[1].type.type == Type.I32
assert exports[1].type.mutable == False

assert exports[2].name == "table"
assert isinstance(exports[2].type, TableType)
assert exports[2].type.type == Type.FUNC_REF
assert exports[2].type.minimum == 0
assert exports[2].type.maximum == None

assert exports[3].name == "memory"
assert isinstance(exports[3].type, MemoryType)
assert exports[3].type.minimum == 1
assert exports[3].type.maximum == None
assert exports[3].type.shared == False
""",
    1329: """\
from wasmer import FunctionType, Type

# Type: (i32, i32) -> i32
function_type = FunctionType(
    params=[Type.I32, Type.I32],
    results=[Type.I32]
)
""",
    1351: """\
from wasmer import GlobalType, Type

# Describes a global of kind `i32` which is immutable.
global_type = GlobalType(Type.I32, mutable=False)
""",
    1370: """\
from wasmer import Store, Module, ImportType, FunctionType, GlobalType, TableType, MemoryType, Type

module = Module(
    Store(),
    \"\"\"
    (module
    (import "ns" "function" (func))
    (import "ns" "global" (global f32))
    (import "ns" "table" (table 1 2 anyfunc))
    (import "ns" "memory" (memory 3 4)))
    \"\"\"
)
imports = module.imports

assert isinstance(imports[0], ImportType)

assert imports[0].module == "ns"
assert imports[0].name == "function"
assert isinstance(imports[0].type, FunctionType)
assert imports[0].type.params == []
assert imports[0].type.results == []

assert imports[1].module == "ns"
assert imports[1].name == "global"
assert isinstance(imports[1].type, GlobalType)
assert imports[1].type.type == Type.F32
assert imports[1].type.mutable == False

assert imports[2].module == "ns"
assert imports[2].name == "table"
assert isinstance(imports[2].type, TableType)
assert imports[2].type.type == Type.FUNC_REF
assert imports[2].type.minimum == 1
assert imports[2].type.maximum == 2

assert imports[3].module == "ns"
assert imports[3].name == "memory"
assert isinstance(imports[3].type, MemoryType)
assert imports[3].type.minimum == 3
assert imports[3].type.maximum == 4
assert imports[3].type.shared == False
""",
    1432: """\
from wasmer import MemoryType

memory_type = MemoryType(
    minimum=1,
    shared=True
)
""",
    1459: """\
from wasmer import TableType, Type

table_type = TableType(Type.I32, minimum=7, maximum=42)
""",
    1483: """\
from wasmer import Value

value = Value.i32(42)
""",
    1493: """\
from wasmer import Value

value = Value.i32(42)
""",
    1502: """\
from wasmer import Value

value = Value.i64(42)
""",
    1511: """\
from wasmer import Value

value = Value.f32(4.2)
""",
    1520: """\
from wasmer import Value

value = Value.f64(4.2)
""",
    1529: """\
from wasmer import Value

value = Value.v128(42)
""",
    1580: """\
from wasmer import engine

engine = engine.Universal()
""",
    1586: """\
from wasmer import engine
from wasmer_compiler_llvm import Compiler

engine = engine.Universal(Compiler)
""",
    1603: """\
from wasmer import engine, target, Store, Module
from wasmer_compiler_cranelift import Compiler

# Build a triple from a string.
triple = target.Triple('x86_64-linux-musl')

# Build the CPU features (optional).
cpu_features = target.CpuFeatures()
cpu_features.add('sse2')

# Build the target.
target = target.Target(triple, cpu_features)

# There we go. When creating the engine, pass the compiler _and_
# the target.
engine = engine.Dylib(Compiler, target)

# And finally, build the store with the engine.
store = Store(engine)

# Now, let's compile the module for the defined target.
module = Module(
    store,
    \"\"\"
    (module
    (type $sum_t (func (param i32 i32) (result i32)))
    (func $sum_f (type $sum_t) (param $x i32) (param $y i32) (result i32)
        local.get $x
        local.get $y
        i32.add)
    (export "sum" (func $sum_f)))
    \"\"\"
)

# What's next? Serialize the module, and execute it on the
# targeted host.
""",
    1647: """\
from wasmer import wasi, Store, Module, Instance

store = Store()
module = Module(store, open('tests/wasi.wasm', 'rb').read())

# Get the WASI version.
wasi_version = wasi.get_version(module, strict=True)

# Build a WASI environment for the imports.
wasi_env = wasi.StateBuilder('test-program').argument('--foo').finalize()

# Generate an `ImportObject` from the WASI environment.
import_object = wasi_env.generate_import_object(store, wasi_version)

# Now we are ready to instantiate the module.
instance = Instance(module, import_object)

# Here we go, let's start the program.
instance.exports._start()
""",
}

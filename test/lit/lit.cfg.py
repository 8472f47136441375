# lit configuration for afc's regression tests: one .af file per feature or
# diagnostic, with RUN lines at the top and FileCheck patterns after them.
import os
import lit.formats

config.name = "afc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".af", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "tools"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.afc_obj_root, "test", "lit")
config.substitutions.append(("%afc", config.afc_path))
config.substitutions.append(("%stdlib", os.path.join(config.afc_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.afc_src_root, "examples")))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%compare-json", "%s %s" % (config.python_executable, os.path.join(config.test_source_root, "tools", "compare-json.py"))))
config.substitutions.append(("%testdata", os.path.join(config.afc_src_root, "test", "data")))
config.substitutions.append(("%bench", os.path.join(config.afc_src_root, "bench")))
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "")])
config.available_features.add("llvm-%s" % config.llvm_version_major)

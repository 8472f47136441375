//===- Module.cpp - the _afc extension: afc::driver::Session for Python ---===//
//
// A thin binding: the Session of the afc driver library, its call options
// and its result structs, as they are. Turning results into pandas
// DataFrames is the pure-Python package's job (python/afc/__init__.py).
//
// Searches run without the GIL, so other Python threads keep going; the
// progress callback takes it back only while it runs. SessionError becomes
// afc.Error with the first error's file, line and column as attributes.
//
//===----------------------------------------------------------------------===//
#include "afc/driver/Driver.h"
#include "afc/driver/Session.h"

#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>

namespace py = pybind11;
using namespace afc;
using namespace afc::driver;

namespace {

/// A Python callable that may be copied and dropped on worker threads:
/// the GIL is taken to call it and to release it.
struct PythonCallback {
  py::object fn;
  ~PythonCallback() {
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
};

void setProgress(CallOptions &call, py::object fn) {
  if (fn.is_none()) {
    call.onProgress = nullptr;
    return;
  }
  auto holder = std::make_shared<PythonCallback>();
  holder->fn = std::move(fn);
  call.onProgress = [holder](size_t done, size_t total) {
    py::gil_scoped_acquire gil;
    try {
      holder->fn(done, total);
    } catch (py::error_already_set &) {
      // Progress is cosmetic; an error in showing it must not end a search
      // on a worker thread.
    }
  };
}

py::list tableRows(const study::ResultTable &t) {
  py::list rows;
  for (size_t r = 0; r < t.numRows(); ++r) {
    py::list row;
    for (size_t c = 0; c < t.columns().size(); ++c) {
      const study::Cell &cell = t.get(r, c);
      if (const double *d = std::get_if<double>(&cell))
        row.append(*d);
      else if (const std::string *s = std::get_if<std::string>(&cell))
        row.append(*s);
      else
        row.append(py::none());
    }
    rows.append(row);
  }
  return rows;
}

} // namespace

PYBIND11_MODULE(_afc, m) {
  m.doc() = "afc's driver library (use the afc package, not this module)";

  static py::exception<SessionError> error(m, "Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const SessionError &e) {
      const DiagnosticLocation &l = e.location();
      // Calling the type (not py::exception::operator(), which only sets
      // the error) makes an instance to attach the location to.
      py::object exc = py::handle(error.ptr())(std::string(e.what()));
      exc.attr("file") =
          l.file.empty() ? py::object(py::none()) : py::object(py::str(l.file));
      exc.attr("line") = l.line ? py::object(py::int_(l.line)) : py::none();
      exc.attr("column") =
          l.column ? py::object(py::int_(l.column)) : py::none();
      exc.attr("message") = l.message;
      exc.attr("diagnostics") = std::string(e.what());
      PyErr_SetObject(error.ptr(), exc.ptr());
    }
  });

  m.def("default_stdlib_dir", &defaultStdlibDir);

  py::class_<CallOptions>(m, "CallOptions")
      .def(py::init<>())
      .def_readwrite("defines", &CallOptions::defines)
      .def_readwrite("fields", &CallOptions::fields)
      .def_readwrite("arch", &CallOptions::arch)
      .def_readwrite("workload", &CallOptions::workload)
      .def_readwrite("mapping", &CallOptions::mapping)
      .def_readwrite("mapper", &CallOptions::mapper)
      .def_readwrite("study", &CallOptions::study)
      .def_readwrite("mapping_text", &CallOptions::mappingText)
      .def_readwrite("metric", &CallOptions::metric)
      .def_readwrite("unfused", &CallOptions::unfused)
      .def_readwrite("max_time", &CallOptions::maxTime)
      .def_readwrite("max_fused_loops", &CallOptions::maxFusedLoops)
      .def_readwrite("threads", &CallOptions::threads)
      .def("set_progress", &setProgress);

  py::class_<ComponentRow>(m, "ComponentRow")
      .def_readonly("arch", &ComponentRow::arch)
      .def_readonly("component", &ComponentRow::component)
      .def_readonly("component_class", &ComponentRow::componentClass)
      .def_readonly("action", &ComponentRow::action)
      .def_readonly("instances", &ComponentRow::instances)
      .def_readonly("area", &ComponentRow::area)
      .def_readonly("leak_power", &ComponentRow::leakPower)
      .def_readonly("energy", &ComponentRow::energy)
      .def_readonly("throughput", &ComponentRow::throughput)
      .def_readonly("approximate", &ComponentRow::approximate);

  // Rows of the per-entry tables as tuples: the Python side names columns.
  py::class_<ModelFigures>(m, "ModelFigures")
      .def_readonly("arch", &ModelFigures::arch)
      .def_readonly("workload", &ModelFigures::workload)
      .def_readonly("energy", &ModelFigures::energy)
      .def_readonly("latency", &ModelFigures::latency)
      .def_readonly("computes", &ModelFigures::computes)
      .def_readonly("area", &ModelFigures::area)
      .def_property_readonly("energies",
                             [](const ModelFigures &f) {
                               py::list l;
                               for (const auto &e : f.energies)
                                 l.append(py::make_tuple(e.einsum, e.component,
                                                         e.action, e.energy));
                               return l;
                             })
      .def_property_readonly(
          "latencies",
          [](const ModelFigures &f) {
            py::list l;
            for (const auto &e : f.latencies)
              l.append(py::make_tuple(e.einsum, e.component, e.latency));
            return l;
          })
      .def_property_readonly("actions",
                             [](const ModelFigures &f) {
                               py::list l;
                               for (const auto &a : f.actions)
                                 l.append(py::make_tuple(
                                     a.einsum, a.component, a.tensor,
                                     a.action, a.count, a.bitsPerAction));
                               return l;
                             })
      .def_property_readonly("usage",
                             [](const ModelFigures &f) {
                               py::list l;
                               for (const auto &u : f.usage)
                                 l.append(py::make_tuple(u.name, u.value));
                               return l;
                             })
      .def_property_readonly("areas", [](const ModelFigures &f) {
        py::list l;
        for (const auto &a : f.areas)
          l.append(py::make_tuple(a.name, a.value));
        return l;
      });

  py::class_<MapFigures, ModelFigures>(m, "MapFigures")
      .def_readonly("mapping", &MapFigures::mapping)
      .def_readonly("loop_nest", &MapFigures::loopNest)
      .def_readonly("complete", &MapFigures::complete)
      .def_readonly("templates", &MapFigures::templates)
      .def_readonly("pmappings_evaluated", &MapFigures::pmappingsEvaluated)
      .def_readonly("pareto_pmappings", &MapFigures::paretoPmappings)
      .def_readonly("on_chip_tensors", &MapFigures::onChipTensors)
      .def_readonly("seconds", &MapFigures::seconds);

  using release = py::call_guard<py::gil_scoped_release>;
  py::class_<Session>(m, "Session")
      .def(py::init([](std::vector<std::string> includeDirs,
                       std::string stdlibDir, bool jit) {
             return std::make_unique<Session>(SessionOptions{
                 std::move(includeDirs), std::move(stdlibDir), jit});
           }),
           py::arg("include_dirs") = std::vector<std::string>(),
           py::arg("stdlib_dir") = "", py::arg("jit") = true)
      .def("add_file", &Session::addFile, release())
      .def("add_source", &Session::addSource, release())
      .def("set_defines", &Session::setDefines)
      .def_property_readonly("stdlib_dir", &Session::stdlibDir)
      .def("components", &Session::components, release())
      .def("evaluate", &Session::evaluate, release())
      .def("map", &Session::map, release())
      .def("run", [](Session &s, const CallOptions &call) {
        study::ResultTable t;
        {
          py::gil_scoped_release unlocked;
          t = s.run(call);
        }
        return py::make_tuple(t.columns(), tableRows(t));
      });
}

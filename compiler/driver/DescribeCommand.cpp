//===- DescribeCommand.cpp - `afc describe`, `afc components --list` ------===//
//
// The component reference, printed from the model registry
// (components::ModelLibrary::models(): each model's attributes, actions,
// source and validity) so that the reference cannot drift from what the
// compiler checks and the models compute. docs/components.md is this
// command's Markdown output (`afc describe --all --format=markdown`), and a
// test fails when the committed file differs.
//
//===----------------------------------------------------------------------===//
#include "Commands.h"
#include "Output.h"

#include "afc/components/ModelLibrary.h"

#include "llvm/ADT/StringExtras.h"

using namespace afc;
using namespace afc::driver;
namespace comp = afc::components;

namespace {

std::string str(std::string_view s) { return std::string(s); }

/// Every class a user may write, in the registry's order, Dummy last.
std::vector<const comp::ModelInfo *> allClasses() {
  std::vector<const comp::ModelInfo *> out;
  for (const comp::ModelInfo &m : comp::ModelLibrary::models())
    out.push_back(&m);
  out.push_back(&comp::ModelLibrary::dummyClass());
  return out;
}

/// The class a name selects (any alias, any case), or nullptr after
/// reporting why none does.
const comp::ModelInfo *findClass(const std::string &name,
                                 DiagnosticEngine &diags) {
  if (const comp::ModelInfo *m = comp::ModelLibrary::findModel(name))
    return m;
  if (std::optional<comp::Error> e = comp::ModelLibrary::checkClass(name)) {
    diags.error(e->message);
    return nullptr;
  }
  return &comp::ModelLibrary::dummyClass();
}

std::string unitOf(const comp::AttributeSpec &a) {
  return a.unit().empty() ? "-" : str(a.unit());
}

std::string defaultOf(const comp::AttributeSpec &a) {
  return a.required() ? "-" : str(a.defaultText);
}

/// What an action's bits_per_action does to its cost.
std::string wordOf(const comp::ActionSpec &a) {
  return a.nominalWidth.empty() ? "-" : str(a.nominalWidth) + " bits";
}
std::string bitsEffect(const comp::ActionSpec &a) {
  if (a.nominalWidth.empty())
    return "none";
  std::string w = str(a.nominalWidth);
  return "energy x b / " + w + ", throughput x " + w + " / b";
}

std::string aliasList(const comp::ModelInfo &m, const char *quote) {
  std::vector<std::string> names;
  for (std::string_view a : m.aliases)
    names.push_back(quote + str(a) + quote);
  return llvm::join(names, ", ");
}

// --- Text ------------------------------------------------------------------

void describeText(const comp::ModelInfo &m, llvm::raw_ostream &os) {
  os << m.name << ": " << m.summary << "\n"
     << "  class names: " << aliasList(m, "") << " (any case)\n"
     << "  source:      " << m.source << "\n"
     << "  valid:       " << m.validity << "\n\n";
  if (m.attributes.empty()) {
    os << "Attributes: none\n";
  } else {
    Table t({"attribute", "unit", "default", "required", "valid values",
             "description"});
    for (const comp::AttributeSpec &a : m.attributes)
      t.addRow({str(a.name), unitOf(a), defaultOf(a),
                a.required() ? "yes" : "no", a.rangeText(),
                str(a.description)});
    os << "Attributes\n";
    t.print(os);
  }
  os << "\n";
  if (m.actions.empty()) {
    os << "Actions: any; bits_per_action has no effect\n";
    return;
  }
  Table t({"action", "word", "bits_per_action b", "description"});
  for (const comp::ActionSpec &a : m.actions)
    t.addRow({str(a.name), wordOf(a), bitsEffect(a), str(a.description)});
  os << "Actions\n";
  t.print(os);
}

// --- Markdown --------------------------------------------------------------

void describeMarkdown(const comp::ModelInfo &m, llvm::raw_ostream &os) {
  os << "## " << m.name << "\n\n"
     << m.summary << ".\n\n"
     << "- Class names (any case): " << aliasList(m, "`") << "\n"
     << "- Source: " << m.source << "\n"
     << "- Valid: " << m.validity << "\n\n";
  if (m.attributes.empty()) {
    os << "Attributes: none.\n\n";
  } else {
    os << "| attribute | unit | default | required | valid values | "
          "description |\n"
       << "|---|---|---|---|---|---|\n";
    for (const comp::AttributeSpec &a : m.attributes)
      os << "| `" << a.name << "` | " << unitOf(a) << " | "
         << defaultOf(a) << " | "
         << (a.required() ? "yes" : "no") << " | " << a.rangeText() << " | "
         << a.description << " |\n";
    os << "\n";
  }
  if (m.actions.empty()) {
    os << "Actions: any; `bits_per_action` has no effect.\n\n";
    return;
  }
  os << "| action | word | `bits_per_action` b | description |\n"
     << "|---|---|---|---|\n";
  for (const comp::ActionSpec &a : m.actions)
    os << "| `" << a.name << "` | " << wordOf(a) << " | " << bitsEffect(a)
       << " | " << a.description << " |\n";
  os << "\n";
}

/// What the reference says once, before the classes.
void markdownPreamble(llvm::raw_ostream &os) {
  os << "# Component classes\n\n"
        "<!-- Generated by `afc describe --all --format=markdown` from the "
        "model registry\n"
        "     (runtime/components/AttributeTables.h, ModelLibrary.cpp); do "
        "not edit.\n"
        "     test/lit/docs/components-current.test fails when this file is "
        "out of date. -->\n\n"
        "A component's class (`memory GlobalBuffer : SmartBufferSRAM`) "
        "selects the model that\n"
        "prices it. Model attributes are written in `attributes { }` (the "
        "component's, or the\n"
        "architecture's for every component); a memory's `size` is also its "
        "`size` attribute.\n"
        "An attribute the class does not list is an error, and so is a "
        "value outside its valid\n"
        "range. Lengths are in metres (write `65 nm`); sizes and widths are "
        "in bits (`64 KiB`,\n"
        "or a plain number of bits such as `16`).\n\n"
        "Every component also takes the fields of "
        "[the language reference](language.md#architectures)\n"
        "(`area`, `leak_power`, the scales, `bits_per_action`, and per "
        "action `energy` and\n"
        "`throughput`, which may be a bandwidth such as `25.6 GB / s`); "
        "values given there win\n"
        "over the model's.\n\n"
        "**Bits per action.** A memory action moves `bits_per_action` = b "
        "bits (the action's,\n"
        "else the component's, else 1), and `afc map` / `afc eval` count "
        "its actions in b-bit\n"
        "words (the `counted in` column). An action with a word of `width` "
        "bits prices one\n"
        "`width`-bit access and scales its energy by b / width and its "
        "throughput by width / b;\n"
        "other actions cost the same whatever b is.\n\n"
        "`afc components --list` lists the classes and `afc describe CLASS` "
        "prints one of these\n"
        "sections.\n\n";
  os << "| class | summary |\n|---|---|\n";
  for (const comp::ModelInfo *m : allClasses()) {
    std::string anchor = llvm::StringRef(str(m->name)).lower();
    os << "| [" << m->name << "](#" << anchor << ") | " << m->summary
       << " |\n";
  }
  os << "\n";
}

// --- JSON ------------------------------------------------------------------

void describeJSON(const comp::ModelInfo &m, JSONWriter &j) {
  j.key(str(m.name));
  j.objectBegin();
  j.member("summary", str(m.summary));
  j.key("class_names");
  j.arrayBegin();
  for (std::string_view a : m.aliases)
    j.value(llvm::StringRef(a.data(), a.size()));
  j.arrayEnd();
  j.member("source", str(m.source));
  j.member("validity", str(m.validity));
  j.key("attributes");
  j.arrayBegin();
  for (const comp::AttributeSpec &a : m.attributes) {
    j.objectBegin();
    j.member("name", str(a.name));
    j.member("unit", str(a.unit()));
    j.member("default", a.required() ? std::string() : str(a.defaultText));
    j.member("required", a.required());
    j.member("valid", a.rangeText());
    j.member("description", str(a.description));
    j.objectEnd();
  }
  j.arrayEnd();
  j.key("actions");
  j.arrayBegin();
  for (const comp::ActionSpec &a : m.actions) {
    j.objectBegin();
    j.member("name", str(a.name));
    j.member("nominal_width", str(a.nominalWidth));
    j.member("description", str(a.description));
    j.objectEnd();
  }
  j.arrayEnd();
  j.objectEnd();
}

} // namespace

int driver::runDescribe(Context &ctx) {
  const Options &options = ctx.options;
  std::vector<const comp::ModelInfo *> classes;
  if (options.describeAll) {
    if (!options.inputFiles.empty()) {
      ctx.diags.error("give class names or --all, not both");
      return 1;
    }
    classes = allClasses();
  } else {
    if (options.inputFiles.empty()) {
      ctx.diags.error("no component class to describe");
      ctx.diags.note("usage: afc describe CLASS... or afc describe --all; "
                     "afc components --list lists the classes");
      return 1;
    }
    for (const std::string &name : options.inputFiles)
      if (const comp::ModelInfo *m = findClass(name, ctx.diags))
        classes.push_back(m);
    if (ctx.diags.hadError())
      return 1;
  }
  if (options.format == OutputFormat::CSV) {
    ctx.diags.error("afc describe prints --format=table, markdown or json");
    return 1;
  }
  return withOutput(ctx, [&](llvm::raw_ostream &os) {
    switch (options.format) {
    case OutputFormat::Markdown:
      if (options.describeAll)
        markdownPreamble(os);
      for (const comp::ModelInfo *m : classes)
        describeMarkdown(*m, os);
      break;
    case OutputFormat::JSON: {
      JSONWriter j(os);
      j.objectBegin();
      for (const comp::ModelInfo *m : classes)
        describeJSON(*m, j);
      j.objectEnd();
      break;
    }
    case OutputFormat::Table:
    case OutputFormat::CSV:
      for (size_t i = 0; i < classes.size(); ++i) {
        if (i)
          os << "\n";
        describeText(*classes[i], os);
      }
      break;
    }
  });
}

int driver::listComponentClasses(Context &ctx) {
  return withOutput(ctx, [&](llvm::raw_ostream &os) {
    switch (ctx.options.format) {
    case OutputFormat::JSON: {
      JSONWriter j(os);
      j.objectBegin();
      for (const comp::ModelInfo *m : allClasses())
        j.member(str(m->name), str(m->summary));
      j.objectEnd();
      break;
    }
    case OutputFormat::CSV:
      os << "class,summary\n";
      for (const comp::ModelInfo *m : allClasses())
        os << m->name << ",\"" << m->summary << "\"\n";
      break;
    case OutputFormat::Markdown:
      os << "| class | summary |\n|---|---|\n";
      for (const comp::ModelInfo *m : allClasses())
        os << "| `" << m->name << "` | " << m->summary << " |\n";
      break;
    case OutputFormat::Table: {
      Table t({"class", "summary"});
      for (const comp::ModelInfo *m : allClasses())
        t.addRow({str(m->name), str(m->summary)});
      t.print(os);
      os << "\n`afc describe CLASS` lists a class's attributes and actions.\n";
      break;
    }
    }
  });
}

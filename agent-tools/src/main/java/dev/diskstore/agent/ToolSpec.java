package dev.diskstore.agent;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The provider-neutral description of one tool: its name, what it does, its parameters and an
 * example call. {@link SchemaExport} turns it into each provider's schema dialect.
 *
 * @param exampleArguments a JSON object a model could send, valid against the tool's schema
 */
record ToolSpec(String name, String description, List<Param> params, String exampleArguments) {
  ToolSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    params = List.copyOf(params);
    Objects.requireNonNull(exampleArguments, "exampleArguments");
  }

  /** The JSON types tool parameters use. */
  enum Type {
    STRING("string"),
    INTEGER("integer"),
    BOOLEAN("boolean");

    private final String jsonName;

    Type(String jsonName) {
      this.jsonName = jsonName;
    }

    String jsonName() {
      return jsonName;
    }
  }

  /**
   * One parameter.
   *
   * @param minimum the smallest accepted integer, for {@link Type#INTEGER}
   * @param maximum the largest accepted integer, for {@link Type#INTEGER}; larger values are capped
   *     by the executor where the description says so
   */
  record Param(
      String name,
      Type type,
      String description,
      boolean required,
      @Nullable Integer minimum,
      @Nullable Integer maximum) {
    Param {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(description, "description");
    }

    static Param required(String name, Type type, String description) {
      return new Param(name, type, description, true, null, null);
    }

    static Param optional(String name, Type type, String description) {
      return new Param(name, type, description, false, null, null);
    }

    static Param optionalInt(String name, String description, int minimum, int maximum) {
      return new Param(name, Type.INTEGER, description, false, minimum, maximum);
    }
  }
}

package dev.kindling.ondemand.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kindling.ipp.Failures;
import dev.kindling.ondemand.InvalidParamsException;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.service.Json;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Binds request params (JSON body or query parameters) to a job's params type and validates them; errors are 400 problems. */
public final class ParamsBinder {
    private static final ObjectMapper MAPPER = Json.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ParamsBinder() {
    }

    /** Parses a request body; empty means "no params" (a missing node). */
    public static JsonNode parseBody(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProblemException(Problem.of(400, "Bad Request", "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")")));
        }
    }

    /** Query parameters as a JSON object of strings (the first value of each); Jackson coerces them to numbers. */
    public static JsonNode fromQuery(Map<String, List<String>> query) {
        ObjectNode node = MAPPER.createObjectNode();
        query.forEach((k, v) -> {
            if (!v.isEmpty()) {
                node.put(k, v.get(0));
            }
        });
        return node;
    }

    /** Binds and validates; throws a 400 {@link ProblemException} naming the field. */
    public static <P> P bind(JobDefinition<P, ?> definition, JsonNode json) {
        P params;
        try {
            if (definition.paramsType() == JsonNode.class) {
                params = definition.paramsType().cast(json);
            } else {
                // no body at all means "the defaults"; a body must be an object (a JSON null is refused like any other non-object)
                JsonNode source = json == null || json.isMissingNode() ? MAPPER.createObjectNode() : json;
                if (!source.isObject()) {
                    throw new ProblemException(Problem.of(400, "Bad Request", "the params of job '" + definition.name()
                            + "' are a JSON object; got " + source.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
                }
                params = MAPPER.treeToValue(source, definition.paramsType());
            }
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
                    .sorted().collect(Collectors.joining(", "));
            throw invalid(e.getPropertyName(), known, "unknown field '" + e.getPropertyName() + "' for job '"
                    + definition.name() + "'; its fields are: " + known);
        } catch (InvalidFormatException e) {
            String field = path(e);
            String expected = e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName();
            throw invalid(field, "a value of type " + expected, "'" + field + "' is " + e.getValue() + "; expected "
                    + article(expected));
        } catch (MismatchedInputException e) {
            String field = path(e);
            String expected = e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName();
            throw invalid(field, "a value of type " + expected, "'" + field + "' has the wrong type; expected " + article(expected));
        } catch (JsonMappingException e) {
            InvalidParamsException inner = Failures.find(e, InvalidParamsException.class).orElse(null);
            if (inner != null) {
                throw invalid(inner.field(), inner.allowed(), inner.getMessage());
            }
            throw new ProblemException(Problem.of(400, "Bad Request", "the params do not fit job '" + definition.name() + "': "
                    + e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ProblemException(Problem.of(400, "Bad Request", "malformed params: " + e.getOriginalMessage()));
        }
        try {
            definition.validate(params);
        } catch (InvalidParamsException e) {
            throw invalid(e.field(), e.allowed(), e.getMessage());
        }
        return params;
    }

    /** The params as JSON text, for the durable store. */
    public static String toJson(Object params) {
        try {
            return params instanceof JsonNode n ? (n.isMissingNode() ? "null" : n.toString()) : MAPPER.writeValueAsString(params);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("params of type " + params.getClass().getName() + " cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads params stored as JSON text back (for jobs re-queued after a restart). */
    public static JsonNode readStored(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            return n == null || n.isNull() ? MissingNode.getInstance() : n;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored params are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ProblemException invalid(String field, String allowed, String detail) {
        return new ProblemException(Problem.of(400, "Invalid params", detail).with("field", field).with("allowed", allowed));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String article(String type) {
        return switch (type) {
            case "Long", "Integer", "long", "int", "Short", "short" -> "a whole number";
            case "Double", "double", "Float", "float", "BigDecimal" -> "a number";
            case "Boolean", "boolean" -> "true or false";
            case "String" -> "a string";
            default -> "a value of type " + type;
        };
    }
}

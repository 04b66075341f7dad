package dev.kindling.service;

/**
 * Thrown from a route to answer with a {@link Problem}; the control plane turns it into an
 * {@code application/problem+json} response with the problem's status.
 *
 * <pre>{@code
 * routes.get("/jobs/{id}", ctx -> {
 *     Job job = jobs.find(ctx.pathParam("id")).orElseThrow(() -> ProblemException.notFound("no job has the id " + ctx.pathParam("id")));
 *     ctx.json(job);
 * });
 * }</pre>
 */
public class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", detail));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "Not Found", detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(409, "Conflict", detail));
    }

    public static ProblemException tooManyRequests(String detail) {
        return new ProblemException(Problem.of(429, "Too Many Requests", detail));
    }
}

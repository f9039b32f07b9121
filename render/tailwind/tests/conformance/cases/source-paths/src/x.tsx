export const X = () => <b className="text-emerald-700 underline decoration-dotted" />;

import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'src/api/proto/**', 'node_modules/**']},
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', {checkLoops: false}],
    },
  },
)
